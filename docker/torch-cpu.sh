# Sourced (POSIX sh) by every launcher of a JVM that may train: ./genstream, the images'
# genstream command, bench/trainer-vs-pytorch.sh.
#
# libtorch 2.7.1's oneDNN (DJL's pytorch-native-cpu) computes wrong values at random with its
# AVX2 and AVX-512 kernels on AMD EPYC Zen 5: measured 2026-12-07, the trainer's unit tests
# (VaeFamilyTest, FramePredictionFamilyTest, GradientPenaltyTest, GanFamilyTest) failed 16 of
# 52 with NaN and gradients off by 40x, other ones at each run; with oneDNN held to AVX, none in
# four runs, whatever ATen's own kernels used. So on AMD processors with AVX-512 oneDNN is held
# to AVX, unless ONEDNN_MAX_CPU_ISA is set already.
if [ -z "${ONEDNN_MAX_CPU_ISA:-}" ] && [ -r /proc/cpuinfo ] \
    && grep -q -m1 'AuthenticAMD' /proc/cpuinfo && grep -q -m1 -w 'avx512f' /proc/cpuinfo; then
  ONEDNN_MAX_CPU_ISA=AVX
  DNNL_MAX_CPU_ISA=AVX # its name before oneDNN 3
  export ONEDNN_MAX_CPU_ISA DNNL_MAX_CPU_ISA
fi
