//! `yomiage.AdaSnake`: the custom operator that the conversion fuses each AdaIN tail and Snake
//! activation of the int8 generator into (voices/convert/fuse_snake.py). ONNX Runtime ran the
//! eight element-wise nodes one by one over 128 channels × 300 samples per frame, its Sin on
//! one thread: 37 % of the generator's time on two cores. This is one pass per channel on
//! the session's own intra-op threads.
//!
//! `AdaSnake(d, std, gain, bias, alpha, inv_alpha) = y + inv_alpha · sin²(alpha · y)` with
//! `y = d / std · gain + bias`; `d` is `[N, C, T]`, the others one value per channel (or one).

use std::sync::Mutex;

use ort::operator::{
    ComputeContext, Kernel, KernelContext, Operator, OperatorDomain, OperatorInput, OperatorOutput,
};
use ort::value::TensorElementType;

/// A model of one `AdaSnake` node (made with onnx's helper: engine/tests/engine/snake.rs),
/// whose session registers the domain with ONNX Runtime before any other.
pub(super) const PROBE_MODEL: &[u8] = include_bytes!("adasnake.onnx");

/// The custom domain as the converted models name it.
pub(super) fn domain() -> ort::Result<OperatorDomain> {
    OperatorDomain::new("yomiage")?.add(AdaSnake)
}

struct AdaSnake;

impl Operator for AdaSnake {
    type Kernel<'attr> = AdaSnakeKernel;

    fn name(&self) -> &str {
        "AdaSnake"
    }

    fn inputs(&self) -> impl IntoIterator<Item = OperatorInput> {
        [const { OperatorInput::required(TensorElementType::Float32) }; 6]
    }

    fn outputs(&self) -> impl IntoIterator<Item = OperatorOutput> {
        [OperatorOutput::required(TensorElementType::Float32)]
    }

    fn create_kernel<'attr>(&self, _: &KernelContext<'attr>) -> ort::Result<AdaSnakeKernel> {
        Ok(AdaSnakeKernel)
    }
}

struct AdaSnakeKernel;

/// The per-channel constants of one row.
#[derive(Clone, Copy)]
struct Channel {
    /// gain / std: one multiply instead of a divide and a multiply.
    scale: f32,
    bias: f32,
    alpha: f32,
    inv_alpha: f32,
}

impl Kernel for AdaSnakeKernel {
    fn compute(&mut self, ctx: &ComputeContext) -> ort::Result<()> {
        let missing = || ort::Error::new("AdaSnake: an input is missing");
        let d = ctx.input(0)?.ok_or_else(missing)?;
        let (shape, d) = d.try_extract_tensor::<f32>()?;
        let dims: Vec<i64> = shape.to_vec();
        let [n, c, t] = match dims[..] {
            [n, c, t] => [n, c, t].map(|v| v.max(0) as usize),
            _ => {
                return Err(ort::Error::new(format!(
                    "AdaSnake: input is {dims:?}, not [N, C, T]"
                )))
            }
        };
        let mut params = Vec::with_capacity(5);
        for i in 1..6 {
            let v = ctx.input(i)?.ok_or_else(missing)?;
            let (_, data) = v.try_extract_tensor::<f32>()?;
            if data.len() != c && data.len() != 1 {
                return Err(ort::Error::new(format!(
                    "AdaSnake: input {i} has {} values for {c} channels",
                    data.len()
                )));
            }
            params.push(data.to_vec());
        }
        let at = |p: &[f32], ch: usize| if p.len() == 1 { p[0] } else { p[ch] };
        let channels: Vec<Channel> = (0..c)
            .map(|ch| Channel {
                scale: at(&params[1], ch) / at(&params[0], ch),
                bias: at(&params[2], ch),
                alpha: at(&params[3], ch),
                inv_alpha: at(&params[4], ch),
            })
            .collect();
        let mut out = ctx.output(0, dims)?.ok_or_else(missing)?;
        let (_, o) = out.try_extract_tensor_mut::<f32>()?;
        if t == 0 || n * c == 0 {
            return Ok(());
        }
        // One lock per row: uncontended, it only proves to the compiler that the rows that
        // ONNX Runtime's threads write are disjoint.
        let rows: Vec<Mutex<(&[f32], &mut [f32])>> =
            d.chunks(t).zip(o.chunks_mut(t)).map(Mutex::new).collect();
        ctx.par_for(rows.len(), rows.len(), |i| {
            let mut row = rows[i].lock().unwrap_or_else(|p| p.into_inner());
            let (src, dst) = &mut *row;
            snake_row(src, dst, channels[i % c]);
        })
    }
}

/// One row, vectorized for AVX2 where the CPU has it.
fn snake_row(src: &[f32], dst: &mut [f32], ch: Channel) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { snake_row_avx2(src, dst, ch) };
        return;
    }
    snake_row_generic(src, dst, ch)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn snake_row_avx2(src: &[f32], dst: &mut [f32], ch: Channel) {
    snake_row_generic(src, dst, ch)
}

#[inline(always)]
fn snake_row_generic(src: &[f32], dst: &mut [f32], ch: Channel) {
    for (o, &x) in dst.iter_mut().zip(src) {
        let y = x * ch.scale + ch.bias;
        *o = y + ch.inv_alpha * sin_squared(ch.alpha * y);
    }
}

/// sin²(z) with plain arithmetic so that the loop vectorizes: z reduced by the nearest
/// multiple of π (sin² has period π), then an odd polynomial on [-π/2, π/2]. Within 4e-7 (a few ulp) of
/// the exact value for |z| up to 100 and 1e-6 up to 10⁴; NaN for NaN and ±∞, as sin.
#[inline(always)]
pub(crate) fn sin_squared(z: f32) -> f32 {
    const INV_PI: f32 = std::f32::consts::FRAC_1_PI;
    // π in three parts: k · PI_A is exact for the k that occur.
    const PI_A: f32 = 3.140625;
    const PI_B: f32 = 9.676_536e-4;
    const PI_C: f32 = 5.126_566e-12;
    const HALF_PI: f32 = std::f32::consts::FRAC_PI_2;
    // Adding and subtracting 1.5 · 2²³ rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let k = (z * INV_PI + ROUND) - ROUND;
    let r = ((z - k * PI_A) - k * PI_B) - k * PI_C;
    // Beyond where f32 can reduce (|z| > 2²²), keep the result a bounded number; NaN stays.
    let r = r.clamp(-HALF_PI, HALF_PI);
    let r2 = r * r;
    let p = -2.388_985_9e-8;
    let p = p * r2 + 2.752_556_2e-6;
    let p = p * r2 - 1.984_087_4e-4;
    let p = p * r2 + 8.333_331e-3;
    let p = p * r2 - 1.666_666_7e-1;
    let s = r + r * r2 * p;
    s * s
}

#[cfg(test)]
mod tests {
    use super::sin_squared;

    #[test]
    fn sin_squared_follows_the_exact_value() {
        for (range, bound) in [(100.0f64, 4e-7), (1.0e4, 1e-6)] {
            let mut worst = 0f64;
            let mut z = -range;
            while z < range {
                let exact = (z as f32 as f64).sin().powi(2);
                let got = sin_squared(z as f32) as f64;
                worst = worst.max((got - exact).abs());
                z += 0.000_37 * (1.0 + z.abs());
            }
            assert!(worst < bound, "|z| < {range}: worst error {worst}");
        }
        for z in [0.0f32, 1e-30, -1e-30, 1e30, -1e30, f32::MAX, f32::MIN] {
            let s = sin_squared(z);
            assert!((0.0..=1.000_001).contains(&s), "sin²({z}) = {s}");
        }
        // As sin does: no value for infinity or NaN.
        for z in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            assert!(sin_squared(z).is_nan(), "sin²({z})");
        }
    }
}
