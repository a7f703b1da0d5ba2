// True-peak look-ahead limiter: 8× polyphase windowed-sinc peak detection (eight intervals
// at a time, all eight lanes in one SIMD register) with parabolic refinement and a
// near-Nyquist allowance, sliding-minimum hold, release, and a double box-filter attack.
#include "roomcal/dsp/true_peak_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <sstream>
#include <string>

#include "roomcal/core/error.hpp"

namespace roomcal::dsp {
namespace {

// ±64 input samples with a Kaiser β of 5 interpolate content up to 0.49 fs to within 0.01 dB;
// shorter filters miss the peaks of dense full-band material by tenths of a dB.
constexpr std::size_t interpolator_reach = 64;
constexpr double kaiser_beta = 5.0;
// Above 0.48 fs a peak depends on samples far outside the window, so that band's local RMS
// (over ±power_reach samples) is added to the peak nyquist_allowance times: a tone there is
// always covered (its peak is √2 times its RMS), and white noise lands a few tenths of a dB
// under the ceiling instead of up to 0.6 dB over it. Programme with little energy that high
// pays nothing; tones above 0.475 fs are limited harder than they need.
constexpr double nyquist_band = 0.48;
constexpr double nyquist_beta = 4.0;
constexpr float nyquist_allowance = 2.0f;
constexpr std::size_t power_reach = 16;
// Samples either side of a peak's interval that get its gain too: the output's inter-sample
// value depends on its neighbours, whose gain must not be higher.
constexpr std::size_t peak_margin = 8;
constexpr double drive_ramp_seconds = 0.01;
constexpr std::size_t fast_lanes_from_block = 512;

std::size_t next_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

void check_range(const char* what, double value, double lo, double hi, const char* unit, const char* hint) {
    if (std::isfinite(value) && value >= lo && value <= hi) return;
    throw UsageError(std::string("limiter ") + what + " " + number(value) + " " + unit + " is out of range: use " +
                     number(lo) + " to " + number(hi) + " " + unit + hint);
}

void check_ceiling(Decibels c) {
    check_range("ceiling", c.value, -30.0, 0.0, "dBTP", " (−1 dBTP is the usual choice for distribution)");
}
void check_release(Seconds r) {
    check_range("release", r.value * 1e3, 1.0, 5000.0, "ms", " (50–300 ms suits most programme)");
}
void check_input_gain(Decibels g) { check_range("input gain", g.value, -24.0, 24.0, "dB", ""); }

// sin(πt)/(πt) under a Kaiser window that ends at ±half_length.
double windowed_sinc(double t, double half_length, double beta) {
    const double x = t / half_length;
    if (std::abs(x) >= 1.0) return 0.0;
    const double sinc = t == 0.0 ? 1.0 : std::sin(std::numbers::pi * t) / (std::numbers::pi * t);
    return sinc * std::cyl_bessel_i(0.0, beta * std::sqrt(1.0 - x * x)) / std::cyl_bessel_i(0.0, beta);
}

// Eight floats, one per oversampled lane (GCC's vector extension: SSE pairs, or one AVX
// register in the x86-64-v3 clone below).
using Lanes = float __attribute__((vector_size(8 * sizeof(float))));
static_assert(TruePeakLimiter::oversampling == 8, "one Lanes per interpolated interval");

// out[8i + k] = sum over j of x[i + j]·taps[8j + k], for i < frames (x holds frames + width − 1
// samples): every lane of eight intervals at once, so each tap row is loaded once per eight
// outputs and eight independent sums keep the multipliers busy. Each sum runs over j in the
// same order however the frames are grouped, so calls of any size give the same values.
// Cloned for AVX2 and FMA where the processor has them.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void interpolate(const float* x, const float* taps,
                                                                             std::size_t width, float* out,
                                                                             std::size_t frames) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= frames; i += 8) {
        Lanes a0{}, a1{}, a2{}, a3{}, a4{}, a5{}, a6{}, a7{};
        const float* p = x + i;
        for (std::size_t j = 0; j < width; ++j, ++p) {
            Lanes t;
            std::memcpy(&t, taps + j * 8, sizeof t);
            a0 += p[0] * t;
            a1 += p[1] * t;
            a2 += p[2] * t;
            a3 += p[3] * t;
            a4 += p[4] * t;
            a5 += p[5] * t;
            a6 += p[6] * t;
            a7 += p[7] * t;
        }
        const Lanes a[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
        std::memcpy(out + i * 8, a, sizeof a);
    }
    for (; i < frames; ++i) {
        Lanes a{};
        for (std::size_t j = 0; j < width; ++j) {
            Lanes t;
            std::memcpy(&t, taps + j * 8, sizeof t);
            a += x[i + j] * t;
        }
        std::memcpy(out + i * 8, &a, sizeof a);
    }
}

// The largest |value| of each interval's eight oversampled points (lane 0 replaced by the
// input sample `centre[i]`, lane 0's own value, the near-Nyquist band, going to nyquist[i]),
// or of the parabola through a local maximum of the sequence and its two neighbours. The
// sequence runs lanes 1..7 of an interval, then lane 0 of the next; all eight points of an
// interval are tested at once, `back1` and `back2` being the sequence one and two points
// earlier; p1 and p2 carry the last two points from call to call. Cloned like interpolate().
__attribute__((target_clones("arch=x86-64-v3", "default"))) void interval_peaks(const float* lanes, const float* centre,
                                                                                std::size_t frames, float& p1,
                                                                                float& p2, float* peak,
                                                                                float* nyquist) noexcept {
    float q1 = p1, q2 = p2;
    for (std::size_t i = 0; i < frames; ++i) {
        Lanes v;
        std::memcpy(&v, lanes + i * 8, sizeof v);
        nyquist[i] = v[0];
        v[0] = centre[i];
        v = v < 0.0f ? -v : v;
        const Lanes back1 = {q1, v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
        const Lanes back2 = {q2, q1, v[0], v[1], v[2], v[3], v[4], v[5]};
        const Lanes d = 2.0f * back1 - back2 - v;
        const Lanes e = back2 - v;
        const auto apex = (back1 >= back2) & (back1 >= v) & (d > 0.0f);
        Lanes m = v;
        using Mask = decltype(apex);
        Mask none{};
        if (std::memcmp(&apex, &none, sizeof apex) != 0) {  // a local maximum in this interval
            const Lanes safe_d = apex ? d : 1.0f;
            const Lanes vertex = apex ? back1 + e * e / (8.0f * safe_d) : 0.0f;
            m = vertex > v ? vertex : v;
        }
        using Index = std::int32_t __attribute__((vector_size(8 * sizeof(std::int32_t))));
        Lanes r = __builtin_shuffle(m, Index{4, 5, 6, 7, 0, 1, 2, 3});
        m = m > r ? m : r;
        r = __builtin_shuffle(m, Index{2, 3, 0, 1, 6, 7, 4, 5});
        m = m > r ? m : r;
        r = __builtin_shuffle(m, Index{1, 0, 3, 2, 5, 4, 7, 6});
        m = m > r ? m : r;
        peak[i] = m[0];
        q2 = v[6];
        q1 = v[7];
    }
    p1 = q1;
    p2 = q2;
}

}  // namespace

void TruePeakLimiter::prepare(Hz sample_rate, std::size_t max_block, std::size_t channels,
                              const LimiterSettings& settings) {
    check_range("sample rate", sample_rate.value, 8000.0, 768000.0, "Hz", "");
    if (max_block == 0)
        throw UsageError("limiter max block is 0: pass the largest number of frames per process() call");
    if (channels == 0 || channels > 64)
        throw UsageError("limiter channel count " + std::to_string(channels) + " is out of range: use 1 to 64");
    check_ceiling(settings.ceiling);
    check_release(settings.release);
    check_input_gain(settings.input_gain);
    check_range("look-ahead", settings.lookahead.value * 1e3, 0.5, 10.0, "ms", " (1–2 ms is typical)");

    rate_ = sample_rate.value;
    channels_ = channels;
    max_block_ = max_block;
    half_taps_ = interpolator_reach;
    power_half_ = power_reach;
    ramp_ =
        std::max<std::size_t>(2, static_cast<std::size_t>(std::lround(to_samples(settings.lookahead, sample_rate))));
    margin_ = peak_margin;
    hold_ = ramp_ + 2 * margin_ + 1;
    latency_ = half_taps_ + power_half_ + ramp_ - 1 + margin_;

    const std::size_t width = 2 * half_taps_ + 1;
    const double half = static_cast<double>(half_taps_);
    taps_.assign(width * oversampling, 0.0f);
    for (std::size_t k = 1; k < oversampling; ++k) {
        std::vector<double> phase(width);
        double sum = 0.0;
        for (std::size_t j = 0; j < width; ++j) {
            const double t = static_cast<double>(k) / oversampling + half - static_cast<double>(j);
            phase[j] = windowed_sinc(t, half, kaiser_beta);
            sum += phase[j];
        }
        // Unit gain at DC for every phase, so a constant input detects as itself.
        for (std::size_t j = 0; j < width; ++j) taps_[j * oversampling + k] = static_cast<float>(phase[j] / sum);
    }
    // Lane 0: the input minus its low-pass at nyquist_band, centred on the interval's start;
    // the low-pass has unit gain at DC so that loud low-frequency content adds no allowance.
    std::vector<double> low(width);
    double low_sum = 0.0;
    for (std::size_t j = 0; j < width; ++j) {
        const double t = static_cast<double>(j) - half;
        low[j] = windowed_sinc(2.0 * nyquist_band * t, 2.0 * nyquist_band * (half + 1.0), nyquist_beta);
        low_sum += low[j];
    }
    for (std::size_t j = 0; j < width; ++j)
        taps_[j * oversampling] = static_cast<float>((j == half_taps_ ? 1.0 : 0.0) - low[j] / low_sum);

    // From a block of 512 up, fast convolution costs less than the direct sums (a third at
    // 4096); both give the same lanes to float rounding.
    fast_.reset();
    if (max_block >= fast_lanes_from_block) {
        auto f = std::make_unique<FastLanes>();
        constexpr std::size_t size = 2048;
        f->fft = std::make_unique<RealFft<float>>(size, PlanRigor::measure);
        f->chunk = size - (width - 1);
        const std::size_t bins = f->fft->num_bins();
        FftBuffer<float> g(size);
        for (std::size_t k = 0; k < oversampling; ++k) {
            // Lane k is the correlation sum_j x[i + j]·taps[j][k]: the convolution with the
            // taps reversed, landing width - 1 samples later.
            for (std::size_t m = 0; m < size; ++m)
                g[m] = m < width ? taps_[(width - 1 - m) * oversampling + k] / static_cast<float>(size) : 0.0f;
            f->filter.emplace_back(bins);
            f->fft->forward(g.data(), f->filter.back().data());
        }
        f->in = FftBuffer<float>(size);
        f->out = FftBuffer<float>(size);
        f->spectrum = FftBuffer<std::complex<float>>(bins);
        f->product = FftBuffer<std::complex<float>>(bins);
        fast_ = std::move(f);
    }

    ring_ = next_power_of_two(max_block_ + std::max(latency_, width) + 1);
    ring_mask_ = ring_ - 1;
    state_.assign(channels_, Channel{});
    for (Channel& ch : state_) {
        ch.history.assign(2 * ring_, 0.0f);
        ch.nyquist_power.ring.assign(2 * power_half_ + 1, 0.0f);
        ch.peak_delay.assign(power_half_, 0.0f);
    }
    drive_.assign(max_block_, 1.0f);
    peak_.assign(max_block_, 0.0f);
    lanes_.assign(max_block_ * oversampling, 0.0f);
    interval_peak_.assign(max_block_, 0.0f);
    nyquist_.assign(max_block_, 0.0f);
    gain_.assign(max_block_, 1.0f);
    hold_min_.window = hold_;
    hold_min_.value.assign(hold_ + 1, 1.0f);
    hold_min_.time.assign(hold_ + 1, 0);
    box1_.ring.assign((ramp_ + 1) / 2, 1.0f);
    // Two boxes whose joint support is the ramp: the gain falls along a smooth S-curve.
    box2_.ring.assign(ramp_ + 1 - box1_.ring.size(), 1.0f);

    ceiling_db_.store(static_cast<float>(settings.ceiling.value), std::memory_order_relaxed);
    release_s_.store(static_cast<float>(settings.release.value), std::memory_order_relaxed);
    input_gain_db_.store(static_cast<float>(settings.input_gain.value), std::memory_order_relaxed);
    reset();
}

void TruePeakLimiter::reset() noexcept {
    for (Channel& ch : state_) {
        std::fill(ch.history.begin(), ch.history.end(), 0.0f);
        ch.prev = ch.prev2 = 0.0f;
        ch.nyquist_power.fill(0.0f);
        std::fill(ch.peak_delay.begin(), ch.peak_delay.end(), 0.0f);
    }
    now_ = 0;
    hold_min_.head = 0;
    hold_min_.size = 0;
    box1_.fill(1.0f);
    box2_.fill(1.0f);
    envelope_ = 1.0;
    drive_target_ = static_cast<float>(db_to_gain(input_gain_db_.load(std::memory_order_relaxed)));
    drive_now_ = drive_target_;
    drive_step_ = 0.0f;
    drive_left_ = 0;
    release_seen_ = -1.0f;
    gain_reduction_db_.store(0.0f, std::memory_order_relaxed);
}

void TruePeakLimiter::set_ceiling(Decibels ceiling) {
    check_ceiling(ceiling);
    ceiling_db_.store(static_cast<float>(ceiling.value), std::memory_order_relaxed);
}

void TruePeakLimiter::set_release(Seconds release) {
    check_release(release);
    release_s_.store(static_cast<float>(release.value), std::memory_order_relaxed);
}

void TruePeakLimiter::set_input_gain(Decibels gain) {
    check_input_gain(gain);
    input_gain_db_.store(static_cast<float>(gain.value), std::memory_order_relaxed);
}

void TruePeakLimiter::SlidingMin::push(float v, std::size_t now) noexcept {
    const std::size_t cap = value.size();
    // Older values not below the new one can never be the minimum again.
    while (size > 0) {
        const std::size_t back = (head + size - 1) % cap;
        if (value[back] < v) break;
        --size;
    }
    const std::size_t slot = (head + size) % cap;
    value[slot] = v;
    time[slot] = now;
    ++size;
    if (time[head] + window <= now) {
        head = (head + 1) % cap;
        --size;
    }
}

void TruePeakLimiter::BoxFilter::fill(float v) noexcept {
    std::fill(ring.begin(), ring.end(), v);
    pos = 0;
    sum = static_cast<double>(v) * static_cast<double>(ring.size());
}

float TruePeakLimiter::BoxFilter::push(float v) noexcept {
    sum += static_cast<double>(v) - static_cast<double>(ring[pos]);
    ring[pos] = v;
    if (++pos == ring.size()) {
        pos = 0;
        sum = 0.0;
        for (float r : ring) sum += r;
    }
    return static_cast<float>(sum / static_cast<double>(ring.size()));
}

// Per input sample, the interval that starts half_taps_ samples back: its eight oversampled
// values, the largest |value| among them or on the parabola through a local maximum and its
// neighbours, raised by the allowance for the near-Nyquist band around it.
void TruePeakLimiter::detect(std::size_t frames) noexcept {
    const std::size_t width = 2 * half_taps_ + 1;
    for (Channel& ch : state_) {
        const float* x = ch.history.data() + ((now_ + ring_ - (width - 1)) & ring_mask_);
        if (fast_)
            interpolate_fast(x, frames);
        else
            interpolate(x, taps_.data(), width, lanes_.data(), frames);
        float p1 = ch.prev, p2 = ch.prev2;
        interval_peaks(lanes_.data(), x + half_taps_, frames, p1, p2, interval_peak_.data(), nyquist_.data());
        for (std::size_t i = 0; i < frames; ++i) {
            const std::size_t now = now_ + i;
            const float power = ch.nyquist_power.push(nyquist_[i] * nyquist_[i]);
            float& delayed = ch.peak_delay[now % power_half_];
            const float centred = delayed;
            delayed = interval_peak_[i];
            peak_[i] = std::max(peak_[i], centred + nyquist_allowance * std::sqrt(power));
        }
        ch.prev = p1;
        ch.prev2 = p2;
    }
}

// The lanes of `frames` intervals from x (frames + width - 1 samples) by fast convolution,
// a chunk at a time.
void TruePeakLimiter::interpolate_fast(const float* x, std::size_t frames) noexcept {
    FastLanes& f = *fast_;
    const std::size_t width = 2 * half_taps_ + 1, size = f.fft->size(), bins = f.fft->num_bins();
    for (std::size_t from = 0; from < frames; from += f.chunk) {
        const std::size_t n = std::min(f.chunk, frames - from);
        std::memcpy(f.in.data(), x + from, (n + width - 1) * sizeof(float));
        std::fill(f.in.data() + n + width - 1, f.in.data() + size, 0.0f);
        f.fft->forward(f.in.data(), f.spectrum.data());
        for (std::size_t k = 0; k < oversampling; ++k) {
            const std::complex<float>* h = f.filter[k].data();
            for (std::size_t b = 0; b < bins; ++b) f.product[b] = f.spectrum[b] * h[b];
            f.fft->inverse(f.product.data(), f.out.data());
            float* lane = lanes_.data() + from * oversampling + k;
            const float* y = f.out.data() + (width - 1);
            for (std::size_t i = 0; i < n; ++i) lane[i * oversampling] = y[i];
        }
    }
}

void TruePeakLimiter::compute_gain(std::size_t frames) noexcept {
    const float ceiling = static_cast<float>(db_to_gain(ceiling_db_.load(std::memory_order_relaxed)));
    const float release = release_s_.load(std::memory_order_relaxed);
    if (release != release_seen_) {
        release_seen_ = release;
        release_coef_ = -std::expm1(-1.0 / (static_cast<double>(release) * rate_));
    }
    for (std::size_t i = 0; i < frames; ++i) {
        const float p = peak_[i];
        hold_min_.push(p > ceiling ? ceiling / p : 1.0f, now_ + i);
        const float held = hold_min_.min();
        if (held <= envelope_) {
            envelope_ = held;
        } else {
            // In double: in float, steps of a long release stall short of unity.
            envelope_ += release_coef_ * (held - envelope_);
            if (held - envelope_ < 1e-6) envelope_ = held;
        }
        gain_[i] = box2_.push(box1_.push(static_cast<float>(envelope_)));
    }
}

void TruePeakLimiter::process(float* const* channels, std::size_t frames) noexcept {
    if (channels_ == 0) return;
    float lowest = 1.0f;
    for (std::size_t done = 0; done < frames;) {
        const std::size_t n = std::min(max_block_, frames - done);

        const float target = static_cast<float>(db_to_gain(input_gain_db_.load(std::memory_order_relaxed)));
        if (target != drive_target_) {
            drive_target_ = target;
            drive_left_ = std::max<std::size_t>(1, static_cast<std::size_t>(drive_ramp_seconds * rate_));
            drive_step_ = (target - drive_now_) / static_cast<float>(drive_left_);
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (drive_left_ > 0) drive_now_ = --drive_left_ == 0 ? drive_target_ : drive_now_ + drive_step_;
            drive_[i] = drive_now_;
        }

        for (std::size_t c = 0; c < channels_; ++c) {
            float* hist = state_[c].history.data();
            const float* in = channels[c] + done;
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t at = (now_ + i) & ring_mask_;
                hist[at] = hist[at + ring_] = in[i] * drive_[i];
            }
        }

        std::fill_n(peak_.begin(), n, 0.0f);
        detect(n);
        compute_gain(n);
        for (std::size_t i = 0; i < n; ++i) lowest = std::min(lowest, gain_[i]);

        for (std::size_t c = 0; c < channels_; ++c) {
            const float* hist = state_[c].history.data();
            float* out = channels[c] + done;
            for (std::size_t i = 0; i < n; ++i) out[i] = hist[(now_ + i - latency_) & ring_mask_] * gain_[i];
        }
        now_ += n;
        done += n;
    }
    gain_reduction_db_.store(lowest < 1.0f ? static_cast<float>(-gain_to_db(lowest)) : 0.0f, std::memory_order_relaxed);
}

}  // namespace roomcal::dsp
