// Programme meters: EBU R128 / ITU-R BS.1770-4 loudness through libebur128, true peak by
// dsp::TruePeakStream (BS.1770-4 Annex 2, interpolating only where a peak could be), sample
// and true peak ballistics after IEC 60268-18, windowed L/R correlation and a 1/3-octave
// spectrum summed from Hann-windowed FFT bins.
#include "roomcal/engine/meters.hpp"

#include <ebur128.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <complex>
#include <new>
#include <numbers>
#include <span>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/level_sums.hpp"
#include "roomcal/dsp/true_peak.hpp"

namespace roomcal::engine {

namespace {

constexpr double min_rate = 8000.0;
constexpr double max_rate = 384000.0;
constexpr double floor_db = -200.0;
constexpr std::size_t tap_scratch_frames = 512;
constexpr std::size_t chunk_frames = 2048;
constexpr double loudness_refresh_seconds = 0.1;
constexpr double correlation_step_seconds = 0.01;

constexpr std::array<double, spectrum_band_count> nominal_hz{
    20,  25,   31.5, 40,   50,   63,   80,   100,  125,  160,  200,  250,   315,   400,   500,  630,
    800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000};

double amplitude_db(double linear) { return linear > 0.0 ? std::max(20.0 * std::log10(linear), floor_db) : floor_db; }
double silence_if_floor(double db) { return db <= floor_db ? meter_silence : db; }
double power_db(double power) { return silence_if_floor(power > 0.0 ? 10.0 * std::log10(power) : floor_db); }

struct Ebur128Deleter {
    void operator()(ebur128_state* st) const noexcept { ebur128_destroy(&st); }
};
using Ebur128 = std::unique_ptr<ebur128_state, Ebur128Deleter>;

Ebur128 make_ebur128(std::size_t channels, double rate, int mode) {
    Ebur128 st(ebur128_init(static_cast<unsigned>(channels), static_cast<unsigned long>(rate), mode));
    if (!st) throw std::bad_alloc();
    // libebur128's default map puts channel 3 on "unused" (the LFE of 5.1), which would
    // silence Ls of a 5.0 or quad programme; every layout is therefore set explicitly.
    static constexpr int layouts[max_meter_channels][max_meter_channels] = {
        {EBUR128_DUAL_MONO},
        {EBUR128_LEFT, EBUR128_RIGHT},
        {EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER},
        {EBUR128_LEFT, EBUR128_RIGHT, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND},
        {EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND},
        {EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND},
    };
    for (std::size_t c = 0; c < channels; ++c)
        ebur128_set_channel(st.get(), static_cast<unsigned>(c), layouts[channels - 1][c]);
    return st;
}

void check_ebur128(int rc) {
    if (rc != EBUR128_SUCCESS)
        throw Error("the loudness meter (libebur128) failed with error " + std::to_string(rc) +
                    "; restart metering, and report this if it happens again");
}

// Peak meter ballistics in dB, advanced once per metered chunk.
class PeakBallistics {
public:
    void configure(double fall_db_per_frame, std::uint64_t hold_frames) {
        fall_db_per_frame_ = fall_db_per_frame;
        hold_frames_ = hold_frames;
    }

    void feed(double chunk_peak_linear, std::size_t frames) {
        const double peak_db = amplitude_db(chunk_peak_linear);
        level_db_ = std::max(peak_db, std::max(level_db_ - fall_db_per_frame_ * static_cast<double>(frames), floor_db));
        if (peak_db >= hold_db_) {
            hold_db_ = peak_db;
            hold_age_ = 0;
        } else {
            hold_age_ += frames;
            if (hold_age_ >= hold_frames_) hold_db_ = level_db_;
        }
        max_db_ = std::max(max_db_, peak_db);
    }

    void restart_hold_and_max() {
        hold_db_ = level_db_;
        hold_age_ = 0;
        max_db_ = floor_db;
    }

    PeakReading reading() const {
        return {silence_if_floor(level_db_), silence_if_floor(hold_db_), silence_if_floor(max_db_)};
    }

private:
    double fall_db_per_frame_ = 0.0;
    std::uint64_t hold_frames_ = 0;
    double level_db_ = floor_db;
    double hold_db_ = floor_db;
    std::uint64_t hold_age_ = 0;
    double max_db_ = floor_db;
};

// Pearson correlation over a sliding window made of equal steps, so the window slides by
// whole steps and its sums are recomputed exactly rather than drifting.
class Correlation {
public:
    void prepare(std::size_t channels, std::size_t step_frames, std::size_t steps) {
        stride_ = channels;
        right_ = channels > 1 ? 1 : 0;
        step_frames_ = step_frames;
        steps_.assign(steps, {});
    }

    void feed(const float* interleaved, std::size_t frames) {
        for (std::size_t i = 0; i < frames; ++i) {
            const double l = interleaved[i * stride_];
            const double r = interleaved[i * stride_ + right_];
            current_.lr += l * r;
            current_.ll += l * l;
            current_.rr += r * r;
            if (++in_step_ == step_frames_) close_step();
        }
    }

    double value() const { return value_; }

private:
    struct Sums {
        double lr = 0.0, ll = 0.0, rr = 0.0;
    };

    void close_step() {
        steps_[next_] = current_;
        next_ = (next_ + 1) % steps_.size();
        filled_ = std::min(filled_ + 1, steps_.size());
        current_ = {};
        in_step_ = 0;
        Sums total;
        for (std::size_t s = 0; s < filled_; ++s) {
            total.lr += steps_[s].lr;
            total.ll += steps_[s].ll;
            total.rr += steps_[s].rr;
        }
        // Below about -200 dBFS mean square the ratio is rounding noise, not a relation.
        const double silent = 1e-20 * static_cast<double>(filled_ * step_frames_);
        value_ = (total.ll <= silent || total.rr <= silent) ? 0.0 : total.lr / std::sqrt(total.ll * total.rr);
    }

    std::size_t stride_ = 1, right_ = 0, step_frames_ = 1;
    std::vector<Sums> steps_;
    std::size_t next_ = 0, filled_ = 0, in_step_ = 0;
    Sums current_;
    double value_ = 0.0;
};

// 1/3-octave band powers from a Hann-windowed FFT of each channel, averaged over channels
// (power, so out-of-phase channels do not cancel) and exponentially over time. The FFT is
// at least rate/2 long, so bins are 2 Hz or finer and the 20 Hz band (4.6 Hz wide) always
// holds some.
class Spectrum {
public:
    void prepare(double rate, std::size_t channels, double average_seconds) {
        channels_ = channels;
        n_ = std::bit_ceil(static_cast<std::size_t>(rate / 2.0));
        hop_ = n_ / 4;
        fft_ = std::make_unique<dsp::RealFft<float>>(n_);
        in_ = dsp::FftBuffer<float>(n_);
        out_ = dsp::FftBuffer<std::complex<float>>(fft_->num_bins());
        history_.assign(channels * n_, 0.0f);
        window_.resize(n_);
        double window_power = 0.0;
        for (std::size_t i = 0; i < n_; ++i) {
            const double w =
                0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n_));
            window_[i] = static_cast<float>(w);
            window_power += w * w;
        }
        // One-sided bin power to the level of a sine: a sine of amplitude A puts
        // (A/2)^2 * n * sum(w^2) into its bins, and it should read A^2.
        scale_ = 4.0 / (static_cast<double>(n_) * window_power);

        const double nyquist = rate / 2.0;
        bands_ = 0;
        while (bands_ < spectrum_band_count && spectrum_band_centre_hz(bands_) < nyquist) ++bands_;
        band_first_bin_.assign(bands_ + 1, 0);
        const double bin_hz = rate / static_cast<double>(n_);
        for (std::size_t b = 0; b <= bands_; ++b) {
            const double lower_edge = spectrum_band_centre_hz(b) * std::pow(2.0, -1.0 / 6.0);
            band_first_bin_[b] = std::min(static_cast<std::size_t>(std::ceil(lower_edge / bin_hz)), fft_->num_bins());
        }
        alpha_ = average_seconds > 0.0 ? std::exp(-static_cast<double>(hop_) / (average_seconds * rate)) : 0.0;
        average_.fill(0.0);
        have_average_ = false;
        write_ = 0;
        since_hop_ = 0;
        filled_ = 0;
    }

    void feed(const float* interleaved, std::size_t frames) {
        for (std::size_t i = 0; i < frames; ++i) {
            for (std::size_t c = 0; c < channels_; ++c) history_[c * n_ + write_] = interleaved[i * channels_ + c];
            write_ = write_ + 1 == n_ ? 0 : write_ + 1;
            filled_ = std::min(filled_ + 1, n_);
            if (++since_hop_ >= hop_ && filled_ == n_) {
                since_hop_ = 0;
                analyse();
            }
        }
    }

    std::size_t bands() const { return bands_; }
    double band_db(std::size_t b) const { return have_average_ ? power_db(average_[b]) : meter_silence; }

private:
    void analyse() {
        std::array<double, spectrum_band_count> power{};
        for (std::size_t c = 0; c < channels_; ++c) {
            const float* h = history_.data() + c * n_;
            for (std::size_t i = 0; i < n_; ++i) {
                const std::size_t k = write_ + i < n_ ? write_ + i : write_ + i - n_;
                in_[i] = h[k] * window_[i];
            }
            fft_->forward(in_.data(), out_.data());
            for (std::size_t b = 0; b < bands_; ++b) {
                double sum = 0.0;
                for (std::size_t k = band_first_bin_[b]; k < band_first_bin_[b + 1]; ++k) sum += std::norm(out_[k]);
                power[b] += sum;
            }
        }
        const double scale = scale_ / static_cast<double>(channels_);
        for (std::size_t b = 0; b < bands_; ++b) {
            const double p = power[b] * scale;
            average_[b] = have_average_ ? alpha_ * average_[b] + (1.0 - alpha_) * p : p;
        }
        have_average_ = true;
    }

    std::size_t channels_ = 0, n_ = 0, hop_ = 0;
    std::unique_ptr<dsp::RealFft<float>> fft_;
    dsp::FftBuffer<float> in_;
    dsp::FftBuffer<std::complex<float>> out_;
    std::vector<float> history_;  // per channel, circular, n_ frames
    std::vector<float> window_;
    double scale_ = 0.0, alpha_ = 0.0;
    std::size_t bands_ = 0;
    std::vector<std::size_t> band_first_bin_;
    std::array<double, spectrum_band_count> average_{};
    bool have_average_ = false;
    std::size_t write_ = 0, since_hop_ = 0, filled_ = 0;
};

void validate(double rate, std::size_t channels, const MeterConfig& c) {
    if (!(rate >= min_rate && rate <= max_rate) || rate != std::floor(rate))
        throw UsageError("meters: sample rate " + fmt(rate) +
                         " Hz is not supported; use the device's rate, a whole number of hertz from 8000 to 384000");
    if (channels < 1 || channels > max_meter_channels)
        throw UsageError("meters: " + std::to_string(channels) +
                         " channels is not a layout the loudness meter knows; route or downmix to 1 (mono), "
                         "2 (L R), 3 (L R C), 4 (L R Ls Rs), 5 (L R C Ls Rs) or 6 (L R C LFE Ls Rs) channels");
    const auto check = [](double value, double lo, double hi, const char* name) {
        if (!(value >= lo && value <= hi))
            throw UsageError(std::string("meters: ") + name + " = " + fmt(value) + " is out of range; use " + fmt(lo) +
                             " to " + fmt(hi));
    };
    check(c.ring_seconds, 0.001, 60.0, "ring_seconds");
    check(c.peak_hold_seconds, 0.0, 3600.0, "peak_hold_seconds");
    check(c.peak_fall_db_per_second, 0.1, 1000.0, "peak_fall_db_per_second");
    check(c.correlation_window_seconds, 0.01, 10.0, "correlation_window_seconds");
    check(c.spectrum_average_seconds, 0.0, 60.0, "spectrum_average_seconds");
}

}  // namespace

double spectrum_band_centre_hz(std::size_t band) {
    return 1000.0 * std::pow(2.0, (static_cast<double>(band) - 17.0) / 3.0);
}

double spectrum_band_nominal_hz(std::size_t band) { return band < spectrum_band_count ? nominal_hz[band] : 0.0; }

void MeterTap::push(const float* const* channels, std::size_t frames) noexcept {
    if (!ring_) return;
    const std::size_t scratch_frames = interleaved_.size() / channels_;
    std::size_t done = 0;
    while (done < frames) {
        const std::size_t n = std::min({frames - done, scratch_frames, writable_frames()});
        if (n == 0) {
            dropped_frames_.fetch_add(frames - done, std::memory_order_relaxed);
            return;
        }
        float* dst = interleaved_.data();
        if (channels_ == 2) {  // the common case, in a form the compiler vectorises
            const float *l = channels[0] + done, *r = channels[1] + done;
            for (std::size_t i = 0; i < n; ++i) {
                dst[2 * i] = l[i];
                dst[2 * i + 1] = r[i];
            }
        } else {
            for (std::size_t c = 0; c < channels_; ++c) {
                const float* src = channels[c] + done;
                for (std::size_t i = 0; i < n; ++i) dst[i * channels_ + c] = src[i];
            }
        }
        // Whole frames always fit: the consumer can only have made more room since
        // writable_frames() looked, so the ring never holds a partial frame.
        ring_->push(std::span<const float>(interleaved_.data(), n * channels_));
        done += n;
    }
}

std::size_t MeterTap::writable_frames() const noexcept {
    if (!ring_) return 0;
    return (ring_->capacity() - ring_->size()) / channels_;
}

struct Meters::Analysis {
    double rate = 0.0;
    std::size_t channels = 0;
    // Two libebur128 states so that reset() can start the programme afresh without
    // emptying the momentary and short-term windows.
    Ebur128 window_meter;     // momentary, short-term (live readings only)
    bool live = true;         // MeterConfig::live_readings
    Ebur128 programme_meter;  // integrated, LRA
    // Per channel; restarted with the programme, so no audio from before a reset counts.
    std::array<dsp::TruePeakStream, max_meter_channels> true_peak_streams;
    std::vector<float> chunk;
    std::vector<float> channel_scratch;  // one channel of the chunk
    std::array<PeakBallistics, max_meter_channels> sample_peaks;
    std::array<PeakBallistics, max_meter_channels> true_peaks;
    Correlation correlation;
    Spectrum spectrum;
    std::uint64_t frames_metered = 0;
    std::size_t refresh_frames = 0;
    std::size_t since_refresh = 0;
    double momentary = meter_silence, short_term = meter_silence, integrated = meter_silence, range = 0.0;

    // The histogram mode keeps memory and the cost of each refresh constant however long
    // the programme runs; its 0.1 LU bins cost up to 0.05 LU, inside EBU Tech 3341's +-0.1 LU.
    static constexpr int programme_mode = EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM;

    void prepare(double sample_rate, std::size_t num_channels, const MeterConfig& config) {
        rate = sample_rate;
        channels = num_channels;
        live = config.live_readings;
        if (live) window_meter = make_ebur128(channels, rate, EBUR128_MODE_S);
        programme_meter = make_ebur128(channels, rate, programme_mode);
        chunk.assign(chunk_frames * channels, 0.0f);
        channel_scratch.assign(chunk_frames, 0.0f);
        for (auto& t : true_peak_streams) t.prepare(Hz(rate));
        const double fall_per_frame = config.peak_fall_db_per_second / rate;
        const auto hold_frames = static_cast<std::uint64_t>(std::llround(config.peak_hold_seconds * rate));
        for (auto& p : sample_peaks) p.configure(fall_per_frame, hold_frames);
        for (auto& p : true_peaks) p.configure(fall_per_frame, hold_frames);
        const auto step = static_cast<std::size_t>(std::llround(correlation_step_seconds * rate));
        const auto steps = static_cast<std::size_t>(
            std::max(1LL, std::llround(config.correlation_window_seconds / correlation_step_seconds)));
        correlation.prepare(channels, step, steps);
        spectrum.prepare(rate, channels, config.spectrum_average_seconds);
        refresh_frames = static_cast<std::size_t>(std::llround(loudness_refresh_seconds * rate));
    }

    // update() hands over at most the frames left to the next loudness refresh, so the
    // loudness readings always belong to a point on the 100 ms grid.
    void process(const float* interleaved, std::size_t frames) {
        if (live) check_ebur128(ebur128_add_frames_float(window_meter.get(), interleaved, frames));
        check_ebur128(ebur128_add_frames_float(programme_meter.get(), interleaved, frames));
        for (std::size_t c = 0; c < channels; ++c) {
            float* x = channel_scratch.data();
            if (channels == 2)
                for (std::size_t i = 0; i < frames; ++i) x[i] = interleaved[2 * i + c];
            else
                for (std::size_t i = 0; i < frames; ++i) x[i] = interleaved[i * channels + c];
            const float sample_peak = dsp::max_abs(x, frames);
            const double true_peak = true_peak_streams[c].push(std::span<const float>(channel_scratch.data(), frames));
            sample_peaks[c].feed(sample_peak, frames);
            true_peaks[c].feed(true_peak, frames);
        }
        if (live) {
            correlation.feed(interleaved, frames);
            spectrum.feed(interleaved, frames);
        }
        frames_metered += frames;
        since_refresh += frames;
        if (since_refresh == refresh_frames) {
            since_refresh = 0;
            refresh_loudness();
        }
    }

    void refresh_loudness() {
        if (live) {
            check_ebur128(ebur128_loudness_momentary(window_meter.get(), &momentary));
            check_ebur128(ebur128_loudness_shortterm(window_meter.get(), &short_term));
        }
        check_ebur128(ebur128_loudness_global(programme_meter.get(), &integrated));
        check_ebur128(ebur128_loudness_range(programme_meter.get(), &range));
    }

    void restart_programme() {
        programme_meter = make_ebur128(channels, rate, programme_mode);
        for (auto& t : true_peak_streams) t.reset();
        integrated = meter_silence;
        range = 0.0;
        for (auto& p : sample_peaks) p.restart_hold_and_max();
        for (auto& p : true_peaks) p.restart_hold_and_max();
    }

    void fill(MeterReadings& r) const {
        r.channels = channels;
        r.sample_rate = rate;
        r.frames_metered = frames_metered;
        for (std::size_t c = 0; c < channels; ++c) {
            r.sample_peak_dbfs[c] = sample_peaks[c].reading();
            r.true_peak_dbtp[c] = true_peaks[c].reading();
        }
        // libebur128 reports silence as -HUGE_VAL, which is already -inf.
        r.momentary_lufs = momentary;
        r.short_term_lufs = short_term;
        r.integrated_lufs = integrated;
        r.loudness_range_lu = range;
        r.correlation = correlation.value();
        r.spectrum_bands = spectrum.bands();
        for (std::size_t b = 0; b < spectrum_band_count; ++b)
            r.spectrum_db[b] = b < spectrum.bands() ? spectrum.band_db(b) : meter_silence;
    }
};

Meters::Meters() = default;
Meters::~Meters() = default;

void Meters::prepare(double sample_rate, std::size_t channels, const MeterConfig& config) {
    validate(sample_rate, channels, config);
    auto analysis = std::make_unique<Analysis>();
    analysis->prepare(sample_rate, channels, config);
    const auto ring_frames = static_cast<std::size_t>(std::max(1LL, std::llround(config.ring_seconds * sample_rate)));
    auto ring = std::make_unique<rt::SpscRing<float>>(ring_frames * channels);
    std::vector<float> scratch(tap_scratch_frames * channels);

    tap_.ring_ = std::move(ring);
    tap_.interleaved_ = std::move(scratch);
    tap_.channels_ = channels;
    tap_.dropped_frames_.store(0, std::memory_order_relaxed);
    analysis_ = std::move(analysis);
    reset_requested_.store(false, std::memory_order_relaxed);

    MeterReadings fresh;
    analysis_->fill(fresh);
    const std::lock_guard lock(published_mutex_);
    published_ = fresh;
}

std::size_t Meters::update(std::size_t max_frames) {
    if (!analysis_) return 0;
    Analysis& a = *analysis_;
    if (reset_requested_.exchange(false, std::memory_order_acq_rel)) a.restart_programme();
    std::size_t done = 0;
    while (done < max_frames) {
        const std::size_t want = std::min({chunk_frames, max_frames - done, a.refresh_frames - a.since_refresh});
        const std::size_t got = tap_.ring_->pop(std::span<float>(a.chunk.data(), want * a.channels)) / a.channels;
        if (got == 0) break;
        a.process(a.chunk.data(), got);
        done += got;
    }
    MeterReadings next;
    a.fill(next);
    next.dropped_frames = tap_.dropped_frames();
    const std::lock_guard lock(published_mutex_);
    published_ = next;
    return done;
}

MeterReadings Meters::readings() const {
    const std::lock_guard lock(published_mutex_);
    return published_;
}

}  // namespace roomcal::engine
