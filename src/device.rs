//! `--device` and `--precision`: one set of flags that every command running the models
//! flattens in (`#[command(flatten)] device: DeviceArgs`).

use yomiage_engine::onnx::DeviceRequest;
use yomiage_engine::Precision;

#[derive(clap::Args, Clone, Copy, Debug)]
pub struct DeviceArgs {
    /// Where the models run: cpu; cuda (an error if CUDA cannot start); auto (CUDA if it
    /// starts, else the CPU, saying why with -v). CUDA needs `yomiage setup --gpu`.
    #[arg(long, value_enum, env = "YOMIAGE_DEVICE", default_value_t = DeviceArg::Cpu)]
    pub device: DeviceArg,
    /// Decoder weights: int8 (the CPU's default), fp32 (CUDA's default) or fp16 (weighted
    /// layers in half precision). The float ones come with `yomiage setup --gpu`.
    #[arg(long, value_enum, env = "YOMIAGE_PRECISION")]
    pub precision: Option<PrecisionArg>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceArg {
    Cpu,
    Cuda,
    Auto,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionArg {
    Int8,
    Fp32,
    Fp16,
}

impl DeviceArgs {
    pub fn request(&self) -> DeviceRequest {
        match self.device {
            DeviceArg::Cpu => DeviceRequest::Cpu,
            DeviceArg::Cuda => DeviceRequest::Cuda,
            DeviceArg::Auto => DeviceRequest::Auto,
        }
    }

    pub fn precision(&self) -> Option<Precision> {
        self.precision.map(|p| match p {
            PrecisionArg::Int8 => Precision::Int8,
            PrecisionArg::Fp32 => Precision::Fp32,
            PrecisionArg::Fp16 => Precision::Fp16,
        })
    }
}
