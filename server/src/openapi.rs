//! The OpenAPI 3.1 document, written by hand.
//!
//! Hand-written rather than derived (utoipa): the request and response types live in the
//! frontend and engine crates, which should not depend on an HTTP schema library, and the
//! VOICEVOX shapes (query-string parameters, 422 bodies, bare-UUID answers) are easier to
//! state exactly than to coax out of derives. Tests keep it honest: every route of the router
//! is in the document and the AudioQuery schema lists exactly the fields the engine's type
//! serializes.

use serde_json::{json, Map, Value};

use crate::VERSION;

fn param(name: &str, schema: Value, required: bool, description: &str) -> Value {
    json!({
        "name": name, "in": "query", "required": required,
        "schema": schema, "description": description,
    })
}

fn speaker() -> Value {
    param(
        "speaker",
        json!({"type": "integer"}),
        true,
        "Style ID (see /speakers; the IDs of `yomiage voices`)",
    )
}

fn core_version() -> Value {
    param(
        "core_version",
        json!({"type": "string"}),
        false,
        "Accepted and ignored (one core)",
    )
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn ok_json(schema: Value) -> Value {
    json!({ "description": "Successful Response", "content": json_content(schema) })
}

fn binary(mime: &str) -> Value {
    json!({
        "description": "Successful Response",
        "content": { mime: { "schema": { "type": "string", "format": "binary" } } },
    })
}

/// Streamed or whole audio: WAV or raw 16-bit PCM.
fn audio_binary() -> Value {
    let bin = json!({ "schema": { "type": "string", "format": "binary" } });
    json!({
        "description": "Successful Response",
        "content": { "audio/wav": bin.clone(), "audio/pcm": bin },
    })
}

const WS_DESCRIPTION: &str = "Open with `GET /ws?speaker=ID` (a WebSocket upgrade). One \
    utterance at a time. The client sends JSON text messages: `{\"type\":\"speak\",\"text\":\"…\"}` \
    (optional `speaker`, `speed` 0.25–4) or `{\"type\":\"speak\",\"query\":{AudioQuery}}` \
    (optional `speaker`), and `{\"type\":\"cancel\"}`. A new speak or a cancel interrupts the \
    current utterance at once: its `end` (completed false) is sent and nothing more of it. For \
    each utterance the server sends `start`, then in order `sentence` (text only), `timeline` \
    (mora and phoneme times in seconds from the start of this utterance's audio, i.e. samples \
    received since `start` / 24000, sent before the audio they describe) and binary messages \
    (16-bit little-endian PCM, 24 kHz mono), and finally `end`. A failed utterance sends \
    `error` with its id before its `end`. A bad command (malformed JSON, unknown type, text \
    over the length limit, invalid query) is answered with `error` without an id and changes \
    nothing. Utterances share the server's concurrency limit, queue and per-request time \
    limit; closing the socket cancels the current one.";

/// The WebSocket's messages, as schema references (`x-websocket`).
fn ws_messages() -> Value {
    json!({
        "subprotocol": null,
        "client": [reference("WsSpeak"), reference("WsCancel")],
        "server": [reference("WsStart"), reference("WsSentence"), reference("WsTimeline"),
            {"type": "string", "format": "binary",
             "description": "Audio: 16-bit little-endian PCM, 24 kHz mono"},
            reference("WsEnd"), reference("WsError")],
    })
}

fn validation_error() -> Value {
    json!({
        "description": "Validation Error",
        "content": json_content(reference("HTTPValidationError")),
    })
}

fn busy() -> Value {
    json!({ "description": "Busy (queue full) or the request timed out" })
}

struct Op {
    method: &'static str,
    tag: &'static str,
    summary: &'static str,
    description: Option<&'static str>,
    /// `x-` extensions.
    extensions: Vec<(&'static str, Value)>,
    params: Vec<Value>,
    body: Option<Value>,
    responses: Vec<(&'static str, Value)>,
}

impl Op {
    fn new(method: &'static str, tag: &'static str, summary: &'static str) -> Self {
        Op {
            method,
            tag,
            summary,
            description: None,
            extensions: Vec::new(),
            params: Vec::new(),
            body: None,
            responses: Vec::new(),
        }
    }
    fn describe(mut self, d: &'static str) -> Self {
        self.description = Some(d);
        self
    }
    fn ext(mut self, key: &'static str, v: Value) -> Self {
        self.extensions.push((key, v));
        self
    }
    fn params(mut self, p: Vec<Value>) -> Self {
        self.params = p;
        self
    }
    fn body(mut self, schema: Value) -> Self {
        self.body = Some(json!({ "required": true, "content": json_content(schema) }));
        self
    }
    fn resp(mut self, code: &'static str, r: Value) -> Self {
        self.responses.push((code, r));
        self
    }
    fn build(self) -> Value {
        let mut o = Map::new();
        o.insert("tags".into(), json!([self.tag]));
        o.insert("summary".into(), json!(self.summary));
        if let Some(d) = self.description {
            o.insert("description".into(), json!(d));
        }
        for (k, v) in self.extensions {
            o.insert(k.into(), v);
        }
        if !self.params.is_empty() {
            o.insert("parameters".into(), Value::Array(self.params));
        }
        if let Some(b) = self.body {
            o.insert("requestBody".into(), b);
        }
        let mut r = Map::new();
        for (code, v) in self.responses {
            r.insert(code.into(), v);
        }
        o.insert("responses".into(), Value::Object(r));
        Value::Object(o)
    }
}

fn paths() -> Vec<(&'static str, Op)> {
    let text = || param("text", json!({"type": "string"}), true, "Japanese text");
    let phrases = || json!({ "type": "array", "items": reference("AccentPhrase") });
    let word_params = || {
        vec![
            param(
                "surface",
                json!({"type": "string"}),
                true,
                "The word as written",
            ),
            param(
                "pronunciation",
                json!({"type": "string"}),
                true,
                "Reading in katakana",
            ),
            param(
                "accent_type",
                json!({"type": "integer"}),
                true,
                "0 = flat; n = the pitch falls after mora n",
            ),
            param(
                "word_type",
                json!({"type": "string", "enum": ["PROPER_NOUN", "COMMON_NOUN", "VERB", "ADJECTIVE", "SUFFIX"]}),
                false,
                "Part of speech (default PROPER_NOUN)",
            ),
            param(
                "priority",
                json!({"type": "integer", "minimum": 0, "maximum": 10}),
                false,
                "0..10, default 5",
            ),
        ]
    };
    let uuid_path = json!({
        "name": "word_uuid", "in": "path", "required": true,
        "schema": {"type": "string", "format": "uuid"},
    });
    let mora = |summary| {
        Op::new("post", "Query editing", summary)
            .params(vec![speaker(), core_version()])
            .body(phrases())
            .resp("200", ok_json(phrases()))
            .resp("422", validation_error())
    };
    vec![
        (
            "/audio_query",
            Op::new("post", "Query", "Create an AudioQuery from text")
                .params(vec![text(), speaker(), core_version()])
                .resp("200", ok_json(reference("AudioQuery")))
                .resp("422", validation_error())
                .resp("503", busy()),
        ),
        (
            "/accent_phrases",
            Op::new("post", "Query editing", "Accent phrases from text or kana notation")
                .params(vec![
                    text(),
                    speaker(),
                    param(
                        "is_kana",
                        json!({"type": "boolean", "default": false}),
                        false,
                        "Read `text` as AquesTalk-style kana notation",
                    ),
                    core_version(),
                ])
                .resp("200", ok_json(phrases()))
                .resp(
                    "400",
                    json!({"description": "Kana notation could not be parsed",
                        "content": json_content(reference("ParseKanaBadRequest"))}),
                )
                .resp("422", validation_error()),
        ),
        ("/mora_data", mora("Mora lengths and pitches for accent phrases")),
        ("/mora_length", mora("Mora lengths for accent phrases")),
        ("/mora_pitch", mora("Mora pitches for accent phrases")),
        (
            "/synthesis",
            Op::new("post", "Synthesis", "Render an AudioQuery to WAV")
                .params(vec![
                    speaker(),
                    param(
                        "enable_interrogative_upspeak",
                        json!({"type": "boolean", "default": true}),
                        false,
                        "Accepted; the question rise is already in yomiage's pitches",
                    ),
                    core_version(),
                ])
                .body(reference("AudioQuery"))
                .resp("200", binary("audio/wav"))
                .resp("422", validation_error())
                .resp("503", busy()),
        ),
        (
            "/cancellable_synthesis",
            Op::new(
                "post",
                "Synthesis",
                "Render an AudioQuery to WAV (every synthesis is cancelled when its client disconnects)",
            )
            .params(vec![speaker(), core_version()])
            .body(reference("AudioQuery"))
            .resp("200", binary("audio/wav"))
            .resp("422", validation_error()),
        ),
        (
            "/multi_synthesis",
            Op::new("post", "Synthesis", "Render several AudioQueries to a zip of WAVs")
                .params(vec![speaker(), core_version()])
                .body(json!({"type": "array", "items": reference("AudioQuery")}))
                .resp("200", binary("application/zip"))
                .resp("422", validation_error()),
        ),
        (
            "/v1/audio/speech",
            Op::new("post", "OpenAI", "OpenAI-compatible text to speech")
                .describe(
                    "With `\"stream\": true` (yomiage's extension) the audio is sent as it is \
                     synthesized, sentence by sentence and chunk by chunk: a chunked body, `wav` \
                     with a header of unknown length (sizes 0xFFFFFFFF), raw `pcm`, `mp3` frames or \
                     Ogg Opus pages as they are encoded (`flac` comes whole, encoded once the \
                     speech is done). Errors \
                     found before the first audio are ordinary error responses; a failure later \
                     cuts the body short. Closing the connection cancels the synthesis.",
                )
                .body(reference("SpeechRequest"))
                .resp("200", audio_binary())
                .resp(
                    "400",
                    json!({"description": "Invalid request",
                        "content": json_content(reference("OpenAIError"))}),
                ),
        ),
        (
            "/stream_synthesis",
            Op::new("post", "Streaming", "Render an AudioQuery as a stream (audio as it is made)")
                .describe(
                    "The query's audio as a chunked body, sent chunk by chunk as it is rendered \
                     (the first audio after the acoustic model and one small decoder chunk, not \
                     after the whole utterance). `format=wav` (default): a 24 kHz 16-bit mono WAV \
                     header whose sizes are 0xFFFFFFFF (unknown length), then samples; \
                     `format=pcm`: 16-bit little-endian samples only. Streams are 24 kHz mono: \
                     `outputSamplingRate` must be 24000 and `outputStereo` false. Errors found \
                     before the first audio (validation, a full queue) are ordinary error \
                     responses; a failure later cuts the body short. Closing the connection \
                     cancels the synthesis within one chunk. The first stream of a voice \
                     calibrates it once (about 15 s; the default voice is calibrated when the server \
                     starts).",
                )
                .params(vec![
                    speaker(),
                    param(
                        "format",
                        json!({"type": "string", "enum": ["wav", "pcm"], "default": "wav"}),
                        false,
                        "Body encoding",
                    ),
                ])
                .body(reference("AudioQuery"))
                .resp("200", audio_binary())
                .resp("422", validation_error())
                .resp("503", busy()),
        ),
        (
            "/ws",
            Op::new("get", "Streaming", "WebSocket for character chat: speak, interrupt, lip-sync")
                .describe(WS_DESCRIPTION)
                .ext("x-websocket", ws_messages())
                .params(vec![param(
                    "speaker",
                    json!({"type": "integer"}),
                    false,
                    "The connection's default style ID (default: the first voice)",
                )])
                .resp("101", json!({"description": "Switching Protocols: the WebSocket is open"}))
                .resp("426", json!({"description": "Not a WebSocket upgrade request"}))
                .resp("422", validation_error()),
        ),
        (
            "/v1/models",
            Op::new("get", "OpenAI", "The one model").resp("200", ok_json(json!({"type": "object"}))),
        ),
        (
            "/v1/audio/voices",
            Op::new("get", "OpenAI", "The voice names `voice` takes (`{\"voices\": [...]}`)")
                .resp("200", ok_json(json!({"type": "object"}))),
        ),
        (
            "/validate_kana",
            Op::new("post", "Other", "Check AquesTalk-style kana notation")
                .params(vec![text()])
                .resp("200", ok_json(json!({"type": "boolean"})))
                .resp(
                    "400",
                    json!({"description": "Invalid notation",
                        "content": json_content(reference("ParseKanaBadRequest"))}),
                ),
        ),
        (
            "/initialize_speaker",
            Op::new("post", "Other", "Load a speaker's voice ahead of use")
                .params(vec![
                    speaker(),
                    param("skip_reinit", json!({"type": "boolean"}), false, "Skip if loaded"),
                    core_version(),
                ])
                .resp("204", json!({"description": "Loaded"}))
                .resp("422", validation_error()),
        ),
        (
            "/is_initialized_speaker",
            Op::new("get", "Other", "Whether a speaker is loaded")
                .params(vec![speaker(), core_version()])
                .resp("200", ok_json(json!({"type": "boolean"})))
                .resp("422", validation_error()),
        ),
        (
            "/speakers",
            Op::new("get", "Other", "Speakers and their style IDs")
                .params(vec![core_version()])
                .resp(
                    "200",
                    ok_json(json!({"type": "array", "items": reference("Speaker")})),
                ),
        ),
        (
            "/speaker_info",
            Op::new("get", "Other", "A speaker's policy and images")
                .params(vec![
                    param("speaker_uuid", json!({"type": "string"}), true, "From /speakers"),
                    core_version(),
                ])
                .resp("200", ok_json(reference("SpeakerInfo")))
                .resp("404", json!({"description": "No such speaker"})),
        ),
        (
            "/user_dict",
            Op::new("get", "User dictionary", "The user dictionary's words by UUID").resp(
                "200",
                ok_json(json!({"type": "object", "additionalProperties": reference("UserDictWord")})),
            ),
        ),
        (
            "/user_dict_word",
            Op::new("post", "User dictionary", "Add a word; answers its UUID (plain text)")
                .params(word_params())
                .resp(
                    "200",
                    json!({"description": "The new word's UUID",
                        "content": {"text/plain": {"schema": {"type": "string"}}}}),
                )
                .resp("422", validation_error()),
        ),
        (
            "/user_dict_word/{word_uuid}",
            Op::new("put", "User dictionary", "Replace a word")
                .params({
                    let mut p = vec![uuid_path.clone()];
                    p.extend(word_params());
                    p
                })
                .resp("204", json!({"description": "Replaced"}))
                .resp("422", validation_error()),
        ),
        (
            "/user_dict_word/{word_uuid}",
            Op::new("delete", "User dictionary", "Delete a word")
                .params(vec![uuid_path])
                .resp("204", json!({"description": "Deleted"}))
                .resp("422", validation_error()),
        ),
        (
            "/import_user_dict",
            Op::new("post", "User dictionary", "Import a VOICEVOX user dictionary")
                .params(vec![param(
                    "override",
                    json!({"type": "boolean"}),
                    true,
                    "Replace words whose UUID is already present",
                )])
                .body(json!({"type": "object", "additionalProperties": reference("UserDictWord")}))
                .resp("204", json!({"description": "Imported"}))
                .resp("422", validation_error()),
        ),
        (
            "/version",
            Op::new("get", "Other", "Engine version").resp("200", ok_json(json!({"type": "string"}))),
        ),
        (
            "/health",
            Op::new("get", "Other", "Ready once every configured voice is warm")
                .describe(
                    "503 `{\"status\": \"warming\"}` while `yomiage serve` loads and warms its \
                     voices (streaming calibration included), then 200 `{\"status\": \"ok\"}`; \
                     `ready`, `warming` and `failed` list the voices.",
                )
                .resp("200", ok_json(json!({"type": "object"})))
                .resp("503", json!({"description": "Still warming"})),
        ),
        (
            "/core_versions",
            Op::new("get", "Other", "Core versions")
                .resp("200", ok_json(json!({"type": "array", "items": {"type": "string"}}))),
        ),
        (
            "/presets",
            Op::new("get", "Other", "Presets (none are stored)")
                .resp("200", ok_json(json!({"type": "array"}))),
        ),
        (
            "/supported_devices",
            Op::new("get", "Other", "Devices the engine can run on").resp(
                "200",
                ok_json(json!({"type": "object", "properties": {
                    "cpu": {"type": "boolean"}, "cuda": {"type": "boolean"}, "dml": {"type": "boolean"}}})),
            ),
        ),
        (
            "/engine_manifest",
            Op::new("get", "Other", "The engine's manifest (VOICEVOX EngineManifest)")
                .resp("200", ok_json(json!({"type": "object"}))),
        ),
        (
            "/openapi.json",
            Op::new("get", "Other", "This document").resp("200", ok_json(json!({"type": "object"}))),
        ),
        (
            "/docs",
            Op::new("get", "Other", "This document as a page")
                .resp("200", json!({"description": "HTML", "content": {"text/html": {}}})),
        ),
        (
            "/accent_notation",
            Op::new("post", "Query editing", "Kana notation and H/L tones of accent phrases")
                .describe("What the editor shows for edited phrases: `kana`, the AquesTalk-style \
                    notation (as `/accent_phrases?is_kana=true` reads it), and `tones`, one string \
                    of `H`/`L` letters per phrase.")
                .body(phrases())
                .resp("200", ok_json(json!({"type": "object", "properties": {
                    "kana": {"type": "string"},
                    "tones": {"type": "array", "items": {"type": "string"}},
                }})))
                .resp("422", validation_error()),
        ),
        (
            "/editor",
            Op::new("get", "Other", "The accent editor (a browser page)")
                .resp("200", json!({"description": "HTML", "content": {"text/html": {}}})),
        ),
        (
            "/talk",
            Op::new("get", "Other", "The talk view: streamed speech with lip-sync (a browser page)")
                .resp("200", json!({"description": "HTML", "content": {"text/html": {}}})),
        ),
    ]
}

fn schemas() -> Value {
    let num = |d: &str| json!({"type": "number", "description": d});
    json!({
        "Mora": {
            "type": "object",
            "required": ["text", "vowel", "vowel_length", "pitch"],
            "properties": {
                "text": {"type": "string", "description": "Katakana of the mora"},
                "consonant": {"type": ["string", "null"], "description": "OpenJTalk phoneme"},
                "consonant_length": {"type": ["number", "null"], "description": "Seconds"},
                "vowel": {"type": "string", "description": "OpenJTalk phoneme (uppercase = devoiced, N, cl, pau)"},
                "vowel_length": num("Seconds"),
                "pitch": num("ln Hz; 0 = unvoiced"),
            },
        },
        "AccentPhrase": {
            "type": "object",
            "required": ["moras", "accent"],
            "properties": {
                "moras": {"type": "array", "items": reference("Mora")},
                "accent": {"type": "integer", "description": "Mora after which the pitch falls; 0 = flat"},
                "pause_mora": {"anyOf": [reference("Mora"), {"type": "null"}]},
                "is_interrogative": {"type": "boolean", "default": false},
            },
        },
        "AudioQuery": {
            "type": "object",
            "required": ["accent_phrases", "speedScale", "pitchScale", "intonationScale",
                "volumeScale", "prePhonemeLength", "postPhonemeLength", "outputSamplingRate",
                "outputStereo"],
            "properties": {
                "accent_phrases": {"type": "array", "items": reference("AccentPhrase")},
                "speedScale": num("0.25..4"),
                "pitchScale": num("-1..1: ln pitch × 2^pitchScale"),
                "intonationScale": num("0..4"),
                "volumeScale": num("0..8"),
                "prePhonemeLength": num("Seconds of silence before"),
                "postPhonemeLength": num("Seconds of silence after"),
                "pauseLength": {"type": ["number", "null"], "description": "Overrides every pause (seconds)"},
                "pauseLengthScale": {"type": "number", "default": 1},
                "outputSamplingRate": {"type": "integer", "description": "8000..192000"},
                "outputStereo": {"type": "boolean"},
                "kana": {"type": ["string", "null"], "description": "Read-only kana notation"},
            },
        },
        "Speaker": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "speaker_uuid": {"type": "string"},
                "styles": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "id": {"type": "integer"}, "type": {"type": "string"}}}},
                "version": {"type": "string"},
                "supported_features": {"type": "object"},
            },
        },
        "SpeakerInfo": {
            "type": "object",
            "properties": {
                "policy": {"type": "string"},
                "portrait": {"type": "string", "description": "base64 PNG"},
                "style_infos": {"type": "array", "items": {"type": "object"}},
            },
        },
        "UserDictWord": {
            "type": "object",
            "required": ["surface", "pronunciation", "accent_type"],
            "properties": {
                "surface": {"type": "string"},
                "priority": {"type": "integer"},
                "context_id": {"type": "integer"},
                "part_of_speech": {"type": "string"},
                "part_of_speech_detail_1": {"type": "string"},
                "part_of_speech_detail_2": {"type": "string"},
                "part_of_speech_detail_3": {"type": "string"},
                "inflectional_type": {"type": "string"},
                "inflectional_form": {"type": "string"},
                "stem": {"type": "string"},
                "yomi": {"type": "string"},
                "pronunciation": {"type": "string"},
                "accent_type": {"type": "integer"},
                "mora_count": {"type": "integer"},
                "accent_associative_rule": {"type": "string"},
            },
        },
        "ValidationError": {
            "type": "object",
            "properties": {
                "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
        },
        "HTTPValidationError": {
            "type": "object",
            "properties": {"detail": {"anyOf": [
                {"type": "array", "items": reference("ValidationError")},
                {"type": "string"}]}},
        },
        "ParseKanaBadRequest": {
            "type": "object",
            "properties": {"detail": {"type": "object", "properties": {
                "text": {"type": "string"},
                "error_name": {"type": "string"},
                "error_args": {"type": "object", "additionalProperties": {"type": "string"}}}}},
        },
        "SpeechRequest": {
            "type": "object",
            "required": ["model", "input", "voice"],
            "properties": {
                "model": {"type": "string", "description": "Any name (one model)"},
                "input": {"type": "string"},
                "voice": {"type": "string", "description": "Voice name, speaker ID, or an OpenAI voice name"},
                "response_format": {"type": "string", "enum": ["mp3", "opus", "flac", "wav", "pcm"], "default": "mp3"},
                "speed": {"type": "number", "minimum": 0.25, "maximum": 4.0, "default": 1.0},
                "instructions": {"type": "string", "description": "Ignored"},
                "stream": {"type": "boolean", "default": false,
                    "description": "yomiage's extension: send the audio as it is synthesized"},
            },
        },
        "MoraTiming": {
            "type": "object",
            "properties": {
                "phrase": {"type": "integer", "description": "Accent phrase index (across the whole text)"},
                "mora": {"type": "integer", "description": "Mora index in the phrase"},
                "text": {"type": "string"},
                "start": num("Seconds from the start of the utterance's audio"),
                "end": num("Seconds from the start of the utterance's audio"),
                "viseme": reference("Viseme"),
            },
        },
        "PhonemeTiming": {
            "type": "object",
            "properties": {
                "phoneme": {"type": "string", "description": "OpenJTalk phoneme (k, a, N, cl, pau)"},
                "start": num("Seconds"),
                "end": num("Seconds"),
                "viseme": reference("Viseme"),
            },
        },
        "Viseme": {
            "type": "string",
            "enum": ["a", "i", "u", "e", "o", "N", "closed"],
            "description": "Mouth shape for lip-sync",
        },
        "WsSpeak": {
            "type": "object",
            "required": ["type"],
            "description": "Client: say text or a query (exactly one), interrupting the current utterance",
            "properties": {
                "type": {"const": "speak"},
                "text": {"type": "string"},
                "query": reference("AudioQuery"),
                "speaker": {"type": "integer", "description": "Style ID (default: the connection's)"},
                "speed": {"type": "number", "minimum": 0.25, "maximum": 4.0, "description": "Text only"},
            },
        },
        "WsCancel": {
            "type": "object",
            "description": "Client: stop the current utterance now",
            "properties": {"type": {"const": "cancel"}},
        },
        "WsStart": {
            "type": "object",
            "description": "Server: an utterance starts; its audio follows",
            "properties": {
                "type": {"const": "start"},
                "id": {"type": "integer", "description": "1, 2, … per connection"},
                "sample_rate": {"const": 24000},
                "channels": {"const": 1},
                "format": {"const": "s16le"},
            },
        },
        "WsSentence": {
            "type": "object",
            "description": "Server: a sentence of the text starts",
            "properties": {
                "type": {"const": "sentence"},
                "id": {"type": "integer"},
                "index": {"type": "integer"},
                "text": {"type": "string"},
            },
        },
        "WsTimeline": {
            "type": "object",
            "description": "Server: when the next moras and phonemes sound, before their audio",
            "properties": {
                "type": {"const": "timeline"},
                "id": {"type": "integer"},
                "moras": {"type": "array", "items": reference("MoraTiming")},
                "phonemes": {"type": "array", "items": reference("PhonemeTiming")},
            },
        },
        "WsEnd": {
            "type": "object",
            "description": "Server: the utterance is over; nothing more of it follows",
            "properties": {
                "type": {"const": "end"},
                "id": {"type": "integer"},
                "samples": {"type": "integer", "description": "Samples sent for it"},
                "completed": {"type": "boolean", "description": "False if interrupted or failed"},
            },
        },
        "WsError": {
            "type": "object",
            "description": "Server: a refused command (no id) or a failed utterance (its id; its end follows)",
            "properties": {
                "type": {"const": "error"},
                "id": {"type": "integer"},
                "status": {"type": "integer", "description": "The HTTP status the same fault would get"},
                "message": {"type": "string"},
            },
        },
        "OpenAIError": {
            "type": "object",
            "properties": {"error": {"type": "object", "properties": {
                "message": {"type": "string"}, "type": {"type": "string"},
                "param": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]}}}},
        },
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (path, op) in self::paths() {
        let method = op.method;
        let entry = paths
            .entry(path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(method.into(), op.build());
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "yomiage",
            "version": VERSION,
            "description": "Japanese text-to-speech with explicit, editable pitch accent. \
                VOICEVOX ENGINE-compatible API (same paths, parameters, JSON and status codes) \
                and an OpenAI-compatible /v1/audio/speech.",
        },
        "paths": paths,
        "components": { "schemas": schemas() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use yomiage_engine::AudioQuery;
    use yomiage_frontend::{AccentPhrase, Consonant, Mora, Vowel};

    #[test]
    fn audio_query_schema_lists_exactly_the_serialized_fields() {
        let mut m = Mora::new("カ", Some(Consonant::K), Vowel::A);
        m.pitch = 5.0;
        let q = AudioQuery::new(vec![AccentPhrase {
            moras: vec![m],
            accent: 1,
            pause_mora: Some(Mora::pause()),
            is_interrogative: false,
        }]);
        let v = serde_json::to_value(&q).unwrap();
        let doc = document();
        let keys = |v: &Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let s = &doc["components"]["schemas"];
        assert_eq!(keys(&v), keys(&s["AudioQuery"]["properties"]));
        assert_eq!(
            keys(&v["accent_phrases"][0]),
            keys(&s["AccentPhrase"]["properties"])
        );
        assert_eq!(
            keys(&v["accent_phrases"][0]["moras"][0]),
            keys(&s["Mora"]["properties"])
        );
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "{name} is referenced but not defined"
            );
        }
    }
}
