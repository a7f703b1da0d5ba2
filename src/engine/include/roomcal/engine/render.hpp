// Offline rendering: a whole file through the very Engine the audio callback runs,
// block by block, with the engine's latency taken off the start so the output lines up
// with the input; optionally metered through the engine's meter tap by a meter thread, as
// the live path meters what it plays.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/mastering_chain.hpp"
#include "roomcal/engine/correction.hpp"
#include "roomcal/engine/meters.hpp"

namespace roomcal::engine {

struct RenderResult {
    AudioBuffer<float> audio;         // as long as the input (empty for a streamed render)
    std::size_t frames = 0;           // frames of output, as many as the input's
    std::size_t latency_samples = 0;  // taken off the start
    std::size_t clipped_samples = 0;  // samples the output ceiling clipped
};

// Where a streamed render takes its input and puts its output.
struct RenderStreams {
    // Fills up to `frames` frames of each channel and returns how many; fewer than asked
    // (0 included) means the input has ended.
    std::function<std::size_t(float* const* into, std::size_t frames)> read;
    // Takes `frames` frames of output, aligned with the input (the latency taken off).
    std::function<void(const float* const* from, std::size_t frames)> write;
    std::size_t total_frames = 0;  // the input's length, for progress (0: not known)
};

// Runs `input` (planar, channels named `channels`) at `rate` through an engine with
// `correction` (nullptr: none) and `chain` (nullptr: none), `block` frames at a time.
// `progress` (may be empty) gets the fraction done now and then.
//
// `meters` (nullptr: none) is prepared here for `rate` and the input's channels (1–6), for
// the programme's figures only (MeterConfig::live_readings false), and attached to the
// engine's meter tap; a thread of its own meters what the tap queues while
// the render runs, and the render waits for room in the tap's ring rather than drop a
// frame. When render returns, meters->readings() cover the whole output as the engine
// played it: the engine's latency of leading silence, then the returned audio.
//
// Throws roomcal::UsageError for a block outside 16–65536 or channels the meters do not
// know; roomcal::Error when metering fails.
RenderResult render(AudioView<const float> input, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress = {}, const MasteringChain* chain = nullptr,
                    Meters* meters = nullptr);
// The same as a stream: no buffer of the input's size, which a long file needs. Also
// propagates what `streams` throw (the meter thread stopped first).
RenderResult render(const RenderStreams& streams, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress = {}, const MasteringChain* chain = nullptr,
                    Meters* meters = nullptr);
// The same in place: `audio` (moved in) becomes the result's audio, so a long file needs
// no second buffer of its size.
RenderResult render(AudioBuffer<float> audio, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress = {}, const MasteringChain* chain = nullptr,
                    Meters* meters = nullptr);

}  // namespace roomcal::engine
