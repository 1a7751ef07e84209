# Sourced (POSIX sh) by every launcher of a JVM that may train: ./genstream, the images'
# genstream command, bench/trainer-vs-pytorch.sh.
#
# libtorch 2.7.1 (DJL's pytorch-native-cpu) computes NaN from the first training step with its
# AVX-512 kernels on AMD EPYC Zen 5 (measured 2026-12-07: every loss NaN at step 5 of the
# trainer's tests, the same steps finite with ATEN_CPU_CAPABILITY=avx2). On AMD processors with
# AVX-512 we pick libtorch's AVX2 kernels instead, unless ATEN_CPU_CAPABILITY is set already.
if [ -z "${ATEN_CPU_CAPABILITY:-}" ] && [ -r /proc/cpuinfo ] \
    && grep -q -m1 'AuthenticAMD' /proc/cpuinfo && grep -q -m1 -w 'avx512f' /proc/cpuinfo; then
  ATEN_CPU_CAPABILITY=avx2
  export ATEN_CPU_CAPABILITY
fi
