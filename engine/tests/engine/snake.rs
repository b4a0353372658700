//! The `yomiage.AdaSnake` operator (engine/src/onnx/snake.rs) in a real ONNX Runtime session:
//! a one-node model (`engine/src/onnx/adasnake.onnx`, also the operator's registration probe) against the formula in f64. The model was made with
//! onnx 1.23 (the conversion environment's):
//!
//! ```python
//! node = helper.make_node("AdaSnake", ["d", "std", "gain", "bias", "alpha", "inv_alpha"], ["y"], domain="yomiage")
//! ins = [helper.make_tensor_value_info("d", TensorProto.FLOAT, ["n", "c", "t"])] + [
//!     helper.make_tensor_value_info(x, TensorProto.FLOAT, ["p1", "p2", "p3"])
//!     for x in ["std", "gain", "bias", "alpha", "inv_alpha"]]
//! out = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", "t"])
//! m = helper.make_model(helper.make_graph([node], "adasnake", ins, [out]),
//!     opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("yomiage", 1)])
//! m.ir_version = 8
//! ```

use std::path::Path;

use yomiage_engine::onnx::{Model, OnnxRuntime, SessionOptions, Tensor};

fn model() -> Model {
    let paths = yomiage_testkit::engine::paths();
    let rt = OnnxRuntime::load(&paths.onnxruntime, SessionOptions::default())
        .expect("ONNX Runtime (run `yomiage setup` first)");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/onnx/adasnake.onnx");
    rt.model(&path, "adasnake").expect("the one-node model")
}

/// Runs the node on `d` (`[n, c, t]`) with the five per-channel parameters as `[1, len, 1]`.
fn run(
    model: &Model,
    d: &[f32],
    [n, c, t]: [usize; 3],
    params: &[Vec<f32>; 5],
) -> Result<Vec<f32>, String> {
    let names = ["std", "gain", "bias", "alpha", "inv_alpha"];
    let mut inputs = vec![("d", Tensor::F32(vec![n, c, t], d))];
    for (name, p) in names.iter().zip(params) {
        inputs.push((name, Tensor::F32(vec![1, p.len(), 1], p)));
    }
    model
        .run(inputs, &["y"])
        .map(|mut o| o.remove(0))
        .map_err(|e| e.to_string())
}

#[test]
fn adasnake_computes_the_fused_chain() {
    let model = model();
    let (n, c, t) = (2, 5, 777);
    let d: Vec<f32> = (0..n * c * t)
        .map(|i| ((i as f64 * 0.37).sin() * 4.0) as f32)
        .collect();
    let params: [Vec<f32>; 5] = [
        (0..c).map(|k| 0.5 + 0.3 * k as f32).collect(),
        (0..c).map(|k| 1.5 - 0.4 * k as f32).collect(),
        (0..c).map(|k| 0.2 * k as f32 - 0.3).collect(),
        (0..c).map(|k| 0.3 + 2.1 * k as f32).collect(),
        (0..c).map(|k| 1.0 / (0.3 + 2.1 * k as f32)).collect(),
    ];
    let y = run(&model, &d, [n, c, t], &params).expect("runs");
    assert_eq!(y.len(), d.len());
    let mut worst = 0f64;
    for (i, (&x, &got)) in d.iter().zip(&y).enumerate() {
        let ch = (i / t) % c;
        let p = |k: usize| params[k][ch] as f64;
        let v = x as f64 / p(0) * p(1) + p(2);
        let want = v + p(4) * (p(3) * v).sin().powi(2);
        worst = worst.max((got as f64 - want).abs() / (1.0 + want.abs()));
    }
    assert!(worst < 2e-6, "worst relative error {worst}");
}

#[test]
fn adasnake_refuses_parameters_that_do_not_fit_the_channels() {
    let model = model();
    let (n, c, t) = (1, 4, 10);
    let d = vec![0.5f32; n * c * t];
    let three = vec![1.0f32; 3];
    let params: [Vec<f32>; 5] = std::array::from_fn(|_| three.clone());
    let err = run(&model, &d, [n, c, t], &params).expect_err("3 values for 4 channels");
    assert!(err.contains("3 values for 4 channels"), "{err}");
    // One value stands for every channel.
    let one: [Vec<f32>; 5] = std::array::from_fn(|_| vec![1.0f32]);
    let y = run(&model, &d, [n, c, t], &one).expect("broadcast");
    // std, gain, bias, alpha, inv_alpha all 1: y = 0.5 + 1, then y + sin²(y).
    let want = 1.5 + 1.5f64.sin().powi(2);
    assert!(
        y.iter().all(|&v| (v as f64 - want).abs() < 1e-6),
        "{:?}",
        &y[..4]
    );
}
