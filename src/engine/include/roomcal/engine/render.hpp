// Offline rendering: a whole file through the very Engine the audio callback runs,
// block by block, with the engine's latency taken off the start so the output lines up
// with the input.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/mastering_chain.hpp"
#include "roomcal/engine/correction.hpp"

namespace roomcal::engine {

struct RenderResult {
    AudioBuffer<float> audio;         // as long as the input
    std::size_t latency_samples = 0;  // taken off the start
    std::size_t clipped_samples = 0;  // samples the output ceiling clipped
};

// Runs `input` (planar, channels named `channels`) at `rate` through an engine with
// `correction` (nullptr: none) and `chain` (nullptr: none), `block` frames at a time. `progress` (may be empty) gets
// the fraction done now and then. Throws roomcal::UsageError for a block outside
// 16–65536.
RenderResult render(AudioView<const float> input, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress = {}, const MasteringChain* chain = nullptr);

}  // namespace roomcal::engine
