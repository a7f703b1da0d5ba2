// Programme meters of the engine's output: loudness per EBU R128 / ITU-R BS.1770-4
// (momentary, short-term, integrated; loudness range per EBU Tech 3342) and true peak,
// both through libebur128, plus sample peak with hold, L/R correlation and a 1/3-octave
// spectrum (IEC 61260 base-2 bands from a Hann-windowed FFT). The audio thread only copies
// samples into a wait-free ring (MeterTap); everything is computed by Meters elsewhere.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "roomcal/rt/spsc_ring.hpp"

namespace roomcal::engine {

// Channel layouts the loudness weighting knows (BS.1770-4 weights through libebur128):
//   1: mono, counted as dual mono (as if played on both speakers of a stereo pair)
//   2: L R          3: L R C          4: L R Ls Rs
//   5: L R C Ls Rs  6: L R C LFE Ls Rs (the LFE is left out of loudness, as BS.1770 says)
// Correlation is always between channels 0 and 1 (L and R); a mono programme reads +1.
inline constexpr std::size_t max_meter_channels = 6;

// 1/3-octave bands from 20 Hz to 20 kHz (nominal); band 17 is 1 kHz.
inline constexpr std::size_t spectrum_band_count = 31;

inline constexpr double meter_silence = -std::numeric_limits<double>::infinity();

// Exact base-2 centre of a spectrum band, 1000 * 2^((band - 17) / 3) Hz.
double spectrum_band_centre_hz(std::size_t band);
// The ISO 266 nominal frequency a display prints for that band (20, 25, 31.5 ... 20000).
double spectrum_band_nominal_hz(std::size_t band);

struct MeterConfig {
    double ring_seconds = 1.0;  // audio the tap buffers for a late meter thread before it drops
    double peak_hold_seconds = 2.0;
    double peak_fall_db_per_second = 20.0 / 1.7;  // IEC 60268-18 return time: 20 dB in 1.7 s
    double correlation_window_seconds = 0.3;
    double spectrum_average_seconds = 1.0;  // time constant of the exponential band average
    // false: the programme figures only (integrated loudness, loudness range, true and sample
    // peaks), as an offline render reports them; momentary and short-term loudness,
    // correlation and the spectrum then stay at silence / 0. About half the CPU.
    bool live_readings = true;
};

// Levels in dB; meter_silence (-inf) below -200 dB.
struct PeakReading {
    double level_db = meter_silence;  // rises at once, falls at MeterConfig::peak_fall_db_per_second
    double hold_db = meter_silence;   // highest level, held for peak_hold_seconds, then follows level_db
    double max_db = meter_silence;    // highest since prepare() or reset()
};

// A snapshot of every meter, cheap to copy (no heap): the UI reads one per frame.
struct MeterReadings {
    std::size_t channels = 0;  // 0 until prepare()
    double sample_rate = 0.0;
    std::uint64_t frames_metered = 0;  // since prepare()
    std::uint64_t dropped_frames = 0;  // frames the tap could not queue because the ring was full

    std::array<PeakReading, max_meter_channels> sample_peak_dbfs{};  // per channel
    std::array<PeakReading, max_meter_channels> true_peak_dbtp{};    // per channel, 4x oversampled below 96 kHz

    // Refreshed every 100 ms of audio, as EBU Tech 3341 asks of a meter's display.
    double momentary_lufs = meter_silence;   // last 400 ms
    double short_term_lufs = meter_silence;  // last 3 s
    double integrated_lufs = meter_silence;  // gated, since prepare() or reset()
    double loudness_range_lu = 0.0;          // EBU Tech 3342, since prepare() or reset()

    // Pearson correlation of L and R over correlation_window_seconds: +1 identical,
    // -1 inverted, 0 unrelated; 0 also while either channel is silent.
    double correlation = 0.0;

    // Band levels in dB relative to a full-scale sine: a sine of peak amplitude A reads
    // 20 log10(A) in its band. Only bands whose centre lies below Nyquist are measured.
    std::size_t spectrum_bands = 0;
    std::array<double, spectrum_band_count> spectrum_db{};
};

// The audio thread's side: a fixed ring of interleaved samples. Owned by Meters, which
// sizes it in prepare().
class MeterTap {
public:
    MeterTap() = default;
    MeterTap(const MeterTap&) = delete;
    MeterTap& operator=(const MeterTap&) = delete;

    // [audio thread] Queues one block, one pointer per prepared channel. What does not fit is
    // dropped whole frames at a time and counted; it never waits, locks or allocates.
    void push(const float* const* channels, std::size_t frames) noexcept;

    // [audio thread] How many frames push() would queue right now.
    std::size_t writable_frames() const noexcept;

    // [any thread]
    std::uint64_t dropped_frames() const noexcept { return dropped_frames_.load(std::memory_order_relaxed); }

private:
    friend class Meters;

    std::unique_ptr<rt::SpscRing<float>> ring_;
    std::vector<float> interleaved_;  // the audio thread's scratch, sized in prepare
    std::size_t channels_ = 0;
    std::atomic<std::uint64_t> dropped_frames_{0};
};

class Meters {
public:
    Meters();
    ~Meters();
    Meters(const Meters&) = delete;
    Meters& operator=(const Meters&) = delete;

    // [main thread] while nothing calls tap().push() or update(). Allocates the ring and the
    // analysers and clears every reading. Throws roomcal::UsageError for a sample rate that is
    // not a whole number of hertz in 8000..384000, a channel count outside 1..6, or a
    // config value out of range.
    void prepare(double sample_rate, std::size_t channels, const MeterConfig& config = {});

    // [main thread] The producer side, handed to the audio callback after prepare().
    MeterTap& tap() noexcept { return tap_; }

    // [meter thread] Meters up to max_frames of what the tap queued and publishes new
    // readings; returns the frames metered. Bounding the frames keeps one call short when a
    // backlog has built up. Only one thread may call it (the main thread is fine).
    std::size_t update(std::size_t max_frames = std::numeric_limits<std::size_t>::max());

    // [any thread but the audio thread] The readings published by the last update().
    MeterReadings readings() const;

    // [any thread] Restarts integrated loudness, loudness range and the peak holds and
    // maxima at the start of the next update(); momentary and short-term loudness keep
    // their windows.
    void reset() noexcept { reset_requested_.store(true, std::memory_order_release); }

private:
    struct Analysis;

    MeterTap tap_;
    std::unique_ptr<Analysis> analysis_;
    std::atomic<bool> reset_requested_{false};
    mutable std::mutex published_mutex_;  // between update() and readings(), never the audio thread
    MeterReadings published_;
};

}  // namespace roomcal::engine
