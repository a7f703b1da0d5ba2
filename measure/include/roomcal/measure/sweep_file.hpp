// A sweep on disk: the WAV plus a JSON sidecar (sweep.wav -> sweep.json) holding the
// parameters deconvolution needs, so a recording made with any tool can be analysed.
#pragma once

#include <filesystem>

#include "roomcal/measure/sweep.hpp"

namespace roomcal::measure {

std::filesystem::path sidecar_path(const std::filesystem::path& sweep_wav);

// Writes WAV (float32) and sidecar atomically. Returns the sidecar's path.
std::filesystem::path write_sweep(const std::filesystem::path& wav, const Sweep& sweep);

// Reads the sidecar beside `sweep_wav` and regenerates the sweep exactly. Throws
// roomcal::Error if the sidecar is missing or malformed, naming it and what to do.
Sweep read_sweep(const std::filesystem::path& sweep_wav);

}  // namespace roomcal::measure
