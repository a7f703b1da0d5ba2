// True-peak look-ahead limiter for the mastering chain. Peaks are detected on the input
// oversampled 8× by a polyphase Kaiser-windowed sinc (the method of ITU-R BS.1770-4 Annex 2,
// with a longer filter), refined between oversampled points by a parabola, plus an allowance
// for the band near Nyquist whose peaks no short window can resolve. The gain is a sliding
// minimum over the look-ahead, a release, then two box filters (the hold-and-average
// look-ahead limiter), so it is already down when a peak arrives and moves without steps; one
// gain for all channels.
#pragma once

#include <atomic>
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "roomcal/core/units.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::dsp {

// Validated by TruePeakLimiter::prepare and by its setters.
struct LimiterSettings {
    Decibels ceiling{-1.0};     // dBTP the output's true peak stays under; −30 to 0
    Seconds release{0.1};       // time constant of the gain's return to unity; 1 ms to 5 s
    Decibels input_gain{0.0};   // applied before the limiter (drive); −24 to +24 dB
    Seconds lookahead{0.0015};  // length of the attack ramp; 0.5 to 10 ms (fixed at prepare)
};

class TruePeakLimiter {
public:
    static constexpr std::size_t oversampling = 8;

    TruePeakLimiter() = default;
    TruePeakLimiter(const TruePeakLimiter&) = delete;
    TruePeakLimiter& operator=(const TruePeakLimiter&) = delete;

    // [main thread] Allocates every buffer and designs the interpolator. Throws
    // roomcal::UsageError naming the setting, its value and the accepted range for a
    // sample rate outside 8–768 kHz, a max block or channel count of 0, more than 64
    // channels, or any setting outside the ranges of LimiterSettings.
    void prepare(Hz sample_rate, std::size_t max_block, std::size_t channels, const LimiterSettings& settings = {});
    void prepare(double sample_rate, std::size_t max_block, std::size_t channels,
                 const LimiterSettings& settings = {}) {
        prepare(Hz(sample_rate), max_block, channels, settings);
    }

    // [audio thread] Silence in every delay line and unity gain; settings stay. Never
    // allocates; may also be called on the main thread while the audio is stopped.
    void reset() noexcept;

    // [audio thread] Limits `frames` frames of every channel in place; the output is the
    // input delayed by latency_samples(). Any number of frames per call (the work is done in
    // pieces of max_block). Never allocates, locks or throws.
    void process(float* const* channels, std::size_t frames) noexcept;

    // [main thread] Settings the audio thread picks up at its next block. Each throws
    // roomcal::UsageError for a value outside its range, leaving the setting unchanged.
    // A lower ceiling applies to peaks detected from then on: audio already inside the
    // look-ahead keeps the gain it was given. Input gain changes ramp over 10 ms.
    void set_ceiling(Decibels ceiling);
    void set_release(Seconds release);
    void set_input_gain(Decibels gain);

    // [any thread]
    Decibels ceiling() const { return Decibels(ceiling_db_.load(std::memory_order_relaxed)); }
    Seconds release() const { return Seconds(release_s_.load(std::memory_order_relaxed)); }
    Decibels input_gain() const { return Decibels(input_gain_db_.load(std::memory_order_relaxed)); }

    // [any thread] The delay from input to output, in samples: the interpolator's reach, the
    // span of the near-Nyquist power average, the attack ramp and the margin held around each
    // peak. Fixed at prepare.
    std::size_t latency_samples() const { return latency_; }
    // [any thread] The attack ramp in samples: the gain falls over this span and is down a few
    // samples before the peak arrives.
    std::size_t lookahead_samples() const { return ramp_; }
    // [any thread] The largest gain reduction applied during the last processed block, as a
    // positive number of dB (0 at unity), for a meter.
    double gain_reduction_db() const { return gain_reduction_db_.load(std::memory_order_relaxed); }

private:
    // A sliding minimum over the last `window` values (monotonic queue in fixed storage).
    struct SlidingMin {
        std::vector<float> value;
        std::vector<std::size_t> time;
        std::size_t head = 0, size = 0, window = 0;
        void push(float v, std::size_t now) noexcept;
        float min() const noexcept { return value[head]; }
    };
    // A moving average; the sum is recomputed from the ring at every wrap so rounding never
    // accumulates (a run of ones averages to exactly 1).
    struct BoxFilter {
        std::vector<float> ring;
        std::size_t pos = 0;
        double sum = 0.0;
        void fill(float v) noexcept;
        float push(float v) noexcept;
    };
    // Per channel detector state.
    struct Channel {
        std::vector<float> history;       // the input, written twice (at t and t + ring_) so any window is contiguous
        float prev = 0.0f, prev2 = 0.0f;  // the last two |oversampled| values
        BoxFilter nyquist_power;          // mean square of the near-Nyquist band
        std::vector<float> peak_delay;    // the interval peaks, waiting until their power is centred on them
    };

    void detect(std::size_t frames) noexcept;
    void compute_gain(std::size_t frames) noexcept;

    double rate_ = 0.0;
    std::size_t channels_ = 0, max_block_ = 0;
    std::size_t half_taps_ = 0;   // the interpolator reaches this many samples either side
    std::size_t power_half_ = 0;  // the near-Nyquist power is averaged this many samples either side
    std::size_t ramp_ = 0, hold_ = 0, margin_ = 0, latency_ = 0;

    // [2·half_taps + 1][oversampling]: lane 0 the near-Nyquist high-pass at the interval's
    // start, lanes 1.. the interpolated phases inside it.
    std::vector<float> taps_;
    std::vector<Channel> state_;
    std::size_t ring_ = 0, ring_mask_ = 0;
    std::size_t now_ = 0;  // input samples since reset

    std::vector<float> drive_;  // per frame of the block: input gain
    // Large blocks (offline) interpolate by FFT: the eight lanes' filters as spectra, one
    // forward transform of a stretch of input and eight inverse ones (fast convolution),
    // instead of 129 taps per lane per sample. Null for small blocks (live).
    struct FastLanes {
        std::unique_ptr<RealFft<float>> fft;
        std::size_t chunk = 0;                               // outputs per transform
        std::vector<FftBuffer<std::complex<float>>> filter;  // per lane, scaled by 1/size
        FftBuffer<float> in, out;
        FftBuffer<std::complex<float>> spectrum, product;
    };
    void interpolate_fast(const float* x, std::size_t frames) noexcept;
    std::unique_ptr<FastLanes> fast_;
    std::vector<float> lanes_;          // per frame of a channel: the interval's eight lanes (see taps_)
    std::vector<float> interval_peak_;  // per frame of a channel: the interval's peak
    std::vector<float> nyquist_;        // per frame of a channel: the near-Nyquist band
    std::vector<float> peak_;           // per frame: linked true peak of the detected interval
    std::vector<float> gain_;           // per frame: gain applied to the delayed audio

    SlidingMin hold_min_;
    BoxFilter box1_, box2_;
    double envelope_ = 1.0;

    float drive_now_ = 1.0f, drive_target_ = 1.0f, drive_step_ = 0.0f;
    std::size_t drive_left_ = 0;
    float release_seen_ = -1.0f;
    double release_coef_ = 0.0;

    std::atomic<float> ceiling_db_{-1.0f};
    std::atomic<float> release_s_{0.1f};
    std::atomic<float> input_gain_db_{0.0f};
    std::atomic<float> gain_reduction_db_{0.0f};
};

}  // namespace roomcal::dsp
