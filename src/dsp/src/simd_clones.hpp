// The instruction sets a dsp kernel is compiled for: AVX-512 and AVX2 (x86-64-v4, v3)
// beside the baseline, chosen at load time by the CPU it runs on.
#pragma once

#define ROOMCAL_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
