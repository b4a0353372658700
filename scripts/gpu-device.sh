#!/usr/bin/env bash
# Getting yomiage's GPU path onto a lent GPU machine (the device tool) and measuring it there.
#
# That machine has the NVIDIA driver, CUDA 13 and cuDNN 9 (PyTorch's nvidia-* wheels), python3
# with `onnx` and `numpy`, but no onnxruntime-gpu, no network, and at most 64 MiB travels per
# call. So: the GPU build of ONNX Runtime, the voice, the dictionary and the binaries built here
# travel as one gzip archive cut into parts of at most 60 MiB, one part per call (the machine
# keeps ignored files between calls while it stays warm); the CUDA/cuDNN libraries are the
# machine's own (YOMIAGE_CUDA_LIBS); the stage models and the float decoders are converted
# there from the voice with the scripts in this tree and checked against the pinned sha256s.
#
# Steps (each prints what it does and what to call next):
#   here:   scripts/gpu-device.sh pack            build, bundle, split into .gpu-parts/
#                                                 (GPU_PACK_PROFILE=dev: reuse debug builds)
#   device: scripts/gpu-device.sh probe           what the machine has (driver, libraries, tools)
#   device: scripts/gpu-device.sh receive N       check part N (carry .gpu-parts/part-N and
#                                                 .gpu-parts/SHA256SUMS), keep it in .gpu-stage/
#   device: scripts/gpu-device.sh assemble        join, check, unpack; convert the models; set up
#   device: scripts/gpu-device.sh test            the GPU tests, the float check, the benchmark
#                                                 (logs to $OUT)
# Run `receive` for every part while the machine stays warm (30 s after a call); a cold
# machine starts bare, and the parts must be sent again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PARTS=$ROOT/.gpu-parts
STAGE=$ROOT/.gpu-stage
PART_BYTES=$((56 * 1024 * 1024))  # + the working tree (~1 MiB) under the 64 MiB a call carries

step() { printf '\n== %s\n' "$*"; }
die() {
    printf 'gpu-device: error: %s\n' "$*" >&2
    exit 1
}

# The machine's CUDA 13 / cuDNN 9 library folders (PyTorch's nvidia-* wheels), `:`-separated.
cuda_lib_dirs() {
    local dirs=()
    local base
    base=$(python3 -c 'import nvidia, os; print(os.path.dirname(list(nvidia.__path__)[0]))' 2>/dev/null || true)
    for d in "$base"/nvidia/cu13/lib "$base"/nvidia/cudnn/lib "$base"/nvidia/*/lib /usr/local/cuda/lib64; do
        [[ -d $d ]] && dirs+=("$d")
    done
    (
        IFS=:
        echo "${dirs[*]}"
    )
}

pack() {
    local home=${YOMIAGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/yomiage}
    [[ -f $home/stamps/gpu.json ]] || die "the GPU set-up is not installed in $home: run 'yomiage setup --gpu' first"
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
    # GPU_PACK_PROFILE=dev reuses the debug/test builds (quicker here; slower Rust code there).
    local profile=${GPU_PACK_PROFILE:-release} flag=--release dir=release
    [[ $profile == dev ]] && flag="" dir=debug
    step "building $profile binaries (yomiage, the gpu test binary: CUDA and float decoders, the gpu benchmark)"
    exe() { sed -n 's/.*Executable.*(\(.*\))/\1/p' | tail -1; }
    cargo build $flag -p yomiage
    local gpu_test bench
    gpu_test=$(cargo test $flag --test gpu --no-run 2>&1 | exe)
    bench=$(cargo test $flag --bench gpu --no-run 2>&1 | exe)
    [[ -x $gpu_test && -x $bench ]] || die "could not find the test/bench executables"
    local work
    work=$(mktemp -d)
    trap 'rm -rf "$work"' RETURN
    mkdir -p "$work/bundle/bin" "$work/bundle/lib"
    cp "$CARGO_TARGET_DIR/$dir/yomiage" "$work/bundle/bin/yomiage"
    cp "$gpu_test" "$work/bundle/bin/gpu-test"
    cp "$bench" "$work/bundle/bin/gpu-bench"
    strip "$work"/bundle/bin/* 2>/dev/null || true
    # cpal links ALSA; the GPU machine may not have it.
    cp -L "$(ldconfig -p | sed -n 's/.*libasound.so.2 (libc6,x86-64) => //p' | head -1)" "$work/bundle/lib/" || true
    step "bundling from $home: the GPU build of ONNX Runtime (not the CUDA libraries), the CPU build, the voice, the dictionary, the streaming calibration, the stamps"
    # pax keeps nanosecond mtimes, so the set-up's quick checks (size + mtime) pass there.
    tar --format=posix -C "$home" -cf "$work/bundle/data.tar" \
        stamps onnxruntime voice dictionary gpu/onnxruntime \
        $(cd "$home" && ls -d models/kokoro-ja/streaming 2>/dev/null)
    rm -rf "$PARTS"
    mkdir -p "$PARTS"
    # gzip: on every machine, and fast (xz -6 took over 20 minutes here for ~10 % less); the
    # model weights hardly compress anyway.
    step "compressing (gzip) and cutting into parts of $((PART_BYTES / 1024 / 1024)) MiB"
    tar -C "$work/bundle" -cf - . | gzip -6 >"$work/bundle.tar.gz"
    split -b "$PART_BYTES" -d -a 2 "$work/bundle.tar.gz" "$PARTS/part-"
    (cd "$work" && sha256sum bundle.tar.gz) >"$PARTS/SHA256SUMS"
    (cd "$PARTS" && sha256sum part-*) >>"$PARTS/SHA256SUMS"
    ls -l "$PARTS"
    local n
    n=$(ls "$PARTS"/part-* | wc -l)
    step "next: with the device tool, in this order (the machine must stay warm between calls):"
    echo "  run: scripts/gpu-device.sh probe"
    for p in "$PARTS"/part-*; do
        p=$(basename "$p")
        echo "  run: scripts/gpu-device.sh receive ${p#part-}   carry: [\".gpu-parts/$p\", \".gpu-parts/SHA256SUMS\"]"
    done
    echo "  run: scripts/gpu-device.sh assemble"
    echo "  run: scripts/gpu-device.sh test"
    echo "($n parts)"
}

probe() {
    step "GPU and driver"
    nvidia-smi -L || echo "no nvidia-smi"
    cat /proc/driver/nvidia/version 2>/dev/null | head -1 || true
    step "C library, tools"
    ldd --version | head -1
    for t in xz zstd python3 cargo; do printf '%-8s %s\n' "$t" "$(command -v $t || echo missing)"; done
    python3 -c 'import onnx, numpy; print("python onnx", onnx.__version__, "numpy", numpy.__version__)' || true
    step "CUDA / cuDNN libraries (YOMIAGE_CUDA_LIBS)"
    local dirs
    dirs=$(cuda_lib_dirs)
    echo "$dirs"
    for lib in libcudart.so.13 libcublasLt.so.13 libcublas.so.13 libcurand.so.10 libnvrtc.so.13 \
        libnvrtc-builtins.so.13.0 libcudnn.so.9 libcudnn_graph.so.9 libcudnn_ops.so.9 libcudnn_cnn.so.9 \
        libcudnn_adv.so.9 libcudnn_heuristic.so.9 libcudnn_engines_precompiled.so.9 \
        libcudnn_engines_runtime_compiled.so.9 libcuda.so.1 libasound.so.2; do
        local found=""
        IFS=: read -ra ds <<<"$dirs"
        for d in "${ds[@]}"; do [[ -e $d/$lib ]] && found=$d/$lib && break; done
        [[ -z $found ]] && found=$(ldconfig -p | sed -n "s/.*$lib (libc6,x86-64) => //p" | head -1)
        printf '%-42s %s\n' "$lib" "${found:-MISSING}"
    done
    step "disk"
    df -h "$ROOT" /tmp | tail -2
    ls "$STAGE" 2>/dev/null && echo "(stage already holds the above)"
}

receive() {
    local n=${1:?part number, e.g. 00}
    local part=$PARTS/part-$n
    [[ -f $part ]] || die "$part did not travel (carry .gpu-parts/part-$n and .gpu-parts/SHA256SUMS)"
    [[ -f $PARTS/SHA256SUMS ]] || die "$PARTS/SHA256SUMS did not travel"
    step "checking part $n"
    local want got
    want=$(awk -v f="part-$n" '$2 == f { print $1 }' "$PARTS/SHA256SUMS")
    got=$(sha256sum "$part" | cut -d' ' -f1)
    [[ -n $want && $want == "$got" ]] || die "part $n: sha256 $got, expected ${want:-(not listed)}"
    mkdir -p "$STAGE/parts"
    cp "$part" "$STAGE/parts/"
    cp "$PARTS/SHA256SUMS" "$STAGE/parts/"
    local have total
    have=$(ls "$STAGE"/parts/part-* | wc -l)
    total=$(grep -c ' part-' "$STAGE/parts/SHA256SUMS")
    echo "part $n ok; $have of $total parts staged in $STAGE/parts"
    ((have == total)) && echo "next: scripts/gpu-device.sh assemble"
    return 0
}

assemble() {
    local sums=$STAGE/parts/SHA256SUMS
    [[ -f $sums ]] || die "no parts staged (run receive first)"
    step "checking every part"
    (cd "$STAGE/parts" && grep ' part-' SHA256SUMS | sha256sum -c --quiet -) || die "a part is missing or damaged"
    step "joining and checking the archive"
    cat "$STAGE"/parts/part-* >"$STAGE/bundle.tar.gz"
    (cd "$STAGE" && grep ' bundle.tar.gz' parts/SHA256SUMS | sha256sum -c --quiet -) || die "the joined archive fails its sha256"
    step "unpacking"
    rm -rf "$STAGE/root"
    mkdir -p "$STAGE/root/data"
    tar -C "$STAGE/root" -xzf "$STAGE/bundle.tar.gz"
    tar -C "$STAGE/root/data" -xf "$STAGE/root/data.tar"
    rm -f "$STAGE/root/data.tar" "$STAGE/bundle.tar.gz"
    local home=$STAGE/root/data
    step "converting the stage models and the float decoders from the voice (python3 there)"
    local conv=$STAGE/convert
    rm -rf "$conv"
    python3 voices/convert/split_kokoro.py --model "$home/voice/kokoro-v1.0.int8.onnx" \
        --voices "$home/voice/voices_ja.npz" --out "$conv/models"
    python3 voices/convert/float_kokoro.py --models "$conv/models" --out "$conv/float"
    mkdir -p "$home/models/kokoro-ja"
    cp -r "$conv"/models/. "$home/models/kokoro-ja/"
    mkdir -p "$home/models/kokoro-ja-float"
    cp -r "$conv"/float/. "$home/models/kokoro-ja-float/"
    step "comparing with the pinned sha256s (voices/manifest.toml)"
    python3 - "$home" <<'EOF'
import hashlib, re, sys, pathlib
home = pathlib.Path(sys.argv[1])
text = open("voices/manifest.toml").read()
ok = True
for section, sub in (("voice.converted", "models/kokoro-ja"), ("voice.float", "models/kokoro-ja-float")):
    for name, sha in re.findall(r"\[\[" + re.escape(section) + r"\]\]\s*name = \"([^\"]+)\"\s*sha256 = \"([0-9a-f]+)\"", text):
        got = hashlib.sha256((home / sub / name).read_bytes()).hexdigest()
        print(("same     " if got == sha else "DIFFERENT"), sub + "/" + name)
        ok &= got == sha
print("all converted files match the pins" if ok else
      "some converted files differ from the pins (another onnx/numpy): the in-process tests still run; the CLI ones will report the set-up as corrupt")
EOF
    step "re-sealing the set-up (hashes checked; nothing is fetched)"
    write_env
    # shellcheck disable=SC1091
    source "$STAGE/env.sh"
    "$STAGE/root/bin/yomiage" setup --only onnxruntime --only voice --only models --only dictionary \
        --only float-models || echo "(set-up not sealed: the CLI tests will say so)"
    "$STAGE/root/bin/yomiage" setup --check --gpu || true
    echo "next: scripts/gpu-device.sh test"
}

write_env() {
    cat >"$STAGE/env.sh" <<EOF
export YOMIAGE_HOME=$STAGE/root/data
export YOMIAGE_CUDA_LIBS=$(cuda_lib_dirs)
export YOMIAGE_TEST_BIN=$STAGE/root/bin/yomiage
export YOMIAGE_AUTO_SETUP=0
export LD_LIBRARY_PATH=$STAGE/root/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
EOF
    cat "$STAGE/env.sh"
}

test_on_device() {
    [[ -f $STAGE/env.sh ]] || die "not assembled (run assemble first)"
    # shellcheck disable=SC1091
    source "$STAGE/env.sh"
    local out=${OUT:-$STAGE/out}
    mkdir -p "$out"
    nvidia-smi -L | tee "$out/device.txt"
    step "GPU tests"
    "$STAGE/root/bin/gpu-test" cuda:: 2>&1 | tee "$out/gpu-test.log" || true
    step "float decoders against int8 (CPU)"
    "$STAGE/root/bin/gpu-test" float_models:: 2>&1 | tee "$out/float-models.log" || true
    step "benchmark: CUDA vs CPU (RTF, first audio, batch throughput)"
    GPU_BENCH_WORKERS=${GPU_BENCH_WORKERS:-4} "$STAGE/root/bin/gpu-bench" 2>&1 | tee "$out/gpu-bench.log" || true
    step "the CLI on CUDA"
    "$STAGE/root/bin/yomiage" -v synth "今日はいい天気ですね。" --device cuda -o "$out/cuda.wav" 2>&1 | tail -5 | tee "$out/cli.log" || true
    echo "logs in $out"
}

case ${1:-} in
pack) pack ;;
probe) probe ;;
receive) receive "${2:-}" ;;
assemble) assemble ;;
test) test_on_device ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
