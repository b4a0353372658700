//! `/openapi.json` and `/docs`: a self-contained page rendered from the same document (no
//! scripts or CDN, so it works offline and on a loopback-only host).

use std::sync::{Arc, OnceLock};

use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::openapi::document;
use crate::state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/docs", get(docs_page))
}

fn cached() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(document)
}

async fn openapi_json() -> Json<Value> {
    Json(cached().clone())
}

async fn docs_page() -> Html<String> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| render(cached())).clone())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn schema_text(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(c) = s.get("const") {
        return format!("<code>{}</code>", esc(&c.to_string()));
    }
    if s.get("format").and_then(Value::as_str) == Some("binary") {
        return "binary".into();
    }
    if let Some(items) = s.get("items") {
        return format!("array of {}", schema_text(items));
    }
    match s.get("type") {
        Some(Value::String(t)) => esc(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "object".into(),
    }
}

fn render(doc: &Value) -> String {
    let mut h = String::new();
    let title = doc["info"]["title"].as_str().unwrap_or("API");
    let version = doc["info"]["version"].as_str().unwrap_or("");
    h.push_str(&format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t} API</title><style>\
         body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}\
         code,.m{{font-family:monospace}}.m{{font-weight:bold;display:inline-block;width:4em}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}\
         section{{border-top:1px solid #ddd;padding:.5em 0}}</style></head><body>\
         <h1>{t} {v}</h1><p>{d}</p><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a></p>",
        t = esc(title),
        v = esc(version),
        d = esc(doc["info"]["description"].as_str().unwrap_or(""))
    ));
    if let Some(paths) = doc["paths"].as_object() {
        for (path, ops) in paths {
            let Some(ops) = ops.as_object() else { continue };
            for (method, op) in ops {
                h.push_str(&format!(
                    "<section><span class=\"m\">{}</span> <code>{}</code> — {}",
                    esc(&method.to_uppercase()),
                    esc(path),
                    esc(op["summary"].as_str().unwrap_or(""))
                ));
                if let Some(d) = op["description"].as_str() {
                    h.push_str(&format!("<p>{}</p>", esc(d)));
                }
                if let Some(params) = op["parameters"].as_array() {
                    h.push_str("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th></th></tr>");
                    for p in params {
                        h.push_str(&format!(
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            esc(p["name"].as_str().unwrap_or("")),
                            esc(p["in"].as_str().unwrap_or("")),
                            schema_text(&p["schema"]),
                            p["required"].as_bool().unwrap_or(false),
                            esc(p["description"].as_str().unwrap_or(""))
                        ));
                    }
                    h.push_str("</table>");
                }
                if let Some(body) = op["requestBody"]["content"]["application/json"].get("schema") {
                    h.push_str(&format!("<p>body: {}</p>", schema_text(body)));
                }
                if let Some(ws) = op.get("x-websocket") {
                    let list = |side: &str| {
                        ws[side]
                            .as_array()
                            .map(|a| a.iter().map(schema_text).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default()
                    };
                    h.push_str(&format!(
                        "<p>client messages: {}<br>server messages: {}</p>",
                        list("client"),
                        list("server")
                    ));
                }
                if let Some(rs) = op["responses"].as_object() {
                    let list: Vec<String> = rs
                        .iter()
                        .map(|(code, r)| {
                            format!(
                                "{} {}",
                                esc(code),
                                esc(r["description"].as_str().unwrap_or(""))
                            )
                        })
                        .collect();
                    h.push_str(&format!("<p>responses: {}</p>", list.join("; ")));
                }
                h.push_str("</section>");
            }
        }
    }
    h.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, s) in schemas {
            h.push_str(&format!(
                "<section id=\"schema-{0}\"><h3>{0}</h3>",
                esc(name)
            ));
            if let Some(d) = s["description"].as_str() {
                h.push_str(&format!("<p>{}</p>", esc(d)));
            }
            if let Some(props) = s["properties"].as_object() {
                h.push_str("<table>");
                for (p, v) in props {
                    h.push_str(&format!(
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(p),
                        schema_text(v),
                        esc(v["description"].as_str().unwrap_or(""))
                    ));
                }
                h.push_str("</table>");
            }
            h.push_str("</section>");
        }
    }
    h.push_str("</body></html>");
    h
}
