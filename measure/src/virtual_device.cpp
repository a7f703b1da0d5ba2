// Virtual measuring chain. Clock drift is applied by band-limited (Kaiser-windowed sinc)
// interpolation written here, independent of the resampler that compensates it, so the
// tests do not grade a resampler against itself.
#include "roomcal/measure/virtual_device.hpp"

#include <cmath>
#include <numbers>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::measure {
namespace {

constexpr int kernel_half_width = 32;
constexpr double kaiser_beta = 9.0;

double bessel_i0(double x) {
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 50; ++k) {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        if (term < 1e-17 * sum) break;
    }
    return sum;
}

// Kaiser window over [0, 1] of the kernel's half-width, tabulated: the resampler
// evaluates it 64 times per output sample.
class KaiserTable {
public:
    KaiserTable() : table_(size + 2) {
        const double i0_beta = bessel_i0(kaiser_beta);
        for (std::size_t i = 0; i < table_.size(); ++i) {
            const double r = std::min(1.0, static_cast<double>(i) / size);
            table_[i] = bessel_i0(kaiser_beta * std::sqrt(1 - r * r)) / i0_beta;
        }
    }
    double operator()(double r) const {
        const double x = std::abs(r) * size;
        const auto i = static_cast<std::size_t>(x);
        const double f = x - static_cast<double>(i);
        return table_[i] + f * (table_[i + 1] - table_[i]);
    }

private:
    static constexpr std::size_t size = 8192;
    std::vector<double> table_;
};

// y[n] = x((n − delay) / (1 + drift)): the recorder samples the continuous signal at its
// own clock, which runs (1 + drift) times as fast as the player's.
std::vector<double> resample_with_delay(const std::vector<double>& x, std::size_t out_len, double delay, double drift) {
    std::vector<double> y(out_len, 0.0);
    if (drift == 0.0 && delay == std::round(delay)) {
        const auto d = static_cast<long>(delay);
        for (std::size_t n = 0; n < out_len; ++n) {
            const long k = static_cast<long>(n) - d;
            if (k >= 0 && k < static_cast<long>(x.size())) y[n] = x[static_cast<std::size_t>(k)];
        }
        return y;
    }
    static const KaiserTable window;
    const double cutoff = drift > 0 ? 1.0 / (1.0 + drift) : 1.0;  // avoid aliasing when compressing
    for (std::size_t n = 0; n < out_len; ++n) {
        const double t = (static_cast<double>(n) - delay) / (1.0 + drift);
        const auto centre = static_cast<long>(std::floor(t));
        if (centre + kernel_half_width < 0 || centre - kernel_half_width >= static_cast<long>(x.size())) continue;
        double acc = 0.0;
        for (long k = centre - kernel_half_width + 1; k <= centre + kernel_half_width; ++k) {
            if (k < 0 || k >= static_cast<long>(x.size())) continue;
            const double u = t - static_cast<double>(k);
            const double r = u / kernel_half_width;
            if (std::abs(r) >= 1.0) continue;
            const double arg = std::numbers::pi * u * cutoff;
            const double sinc = std::abs(arg) < 1e-12 ? 1.0 : std::sin(arg) / arg;
            acc += x[static_cast<std::size_t>(k)] * cutoff * sinc * window(r);
        }
        y[n] = acc;
    }
    return y;
}

std::vector<double> fft_convolve(const std::vector<double>& x, const std::vector<double>& h, std::size_t out_len) {
    const std::size_t n = dsp::next_fast_size(x.size() + h.size());
    auto xs = dsp::rfft(x, n);
    const auto hs = dsp::rfft(h, n);
    for (std::size_t k = 0; k < xs.size(); ++k) xs[k] *= hs[k];
    auto y = dsp::irfft(xs, n);
    y.resize(out_len);
    return y;
}

}  // namespace

VirtualRecording simulate_recording(const VirtualRoomSpec& room, const VirtualCapture& cap,
                                    const std::vector<double>& playback, std::size_t extra_frames) {
    if (playback.empty()) throw UsageError("virtual recording: nothing to play");
    VirtualRecording rec;
    rec.true_response = cap.impulse_response ? *cap.impulse_response
                                             : simulate_impulse_response(room, cap.speaker, cap.mic, cap.sample_rate,
                                                                         cap.ir_length, cap.seed);
    rec.latency_samples = cap.latency_samples.value_or(room.latency_samples);
    rec.drift_ppm = cap.drift_ppm.value_or(room.drift_ppm);
    const double drift = rec.drift_ppm * 1e-6;
    const std::size_t out_len = playback.size() + extra_frames;

    // Loudspeaker nonlinearity: u = x + a2·x² + a3·x³ gives a 2nd harmonic of a2·A/2 and
    // a 3rd of a3·A²/4 relative to a sine of amplitude A.
    const double a_ref = db_to_gain(distortion_reference_dbfs);
    const double a2 = 2.0 * db_to_gain(cap.h2_db.value_or(room.h2_db)) / a_ref;
    const double a3 = 4.0 * db_to_gain(cap.h3_db.value_or(room.h3_db)) / (a_ref * a_ref);
    std::vector<double> driven(playback.size());
    for (std::size_t n = 0; n < playback.size(); ++n) {
        const double x = playback[n];
        driven[n] = x + a2 * x * x + a3 * x * x * x;
    }

    const auto at_mic = fft_convolve(driven, rec.true_response.samples, out_len);
    rec.audio.resize(2, out_len);
    const auto mic = resample_with_delay(at_mic, out_len, rec.latency_samples, drift);
    const auto loop = resample_with_delay(playback, out_len, rec.latency_samples, drift);

    std::mt19937_64 rng(cap.seed * 0x2545F4914F6CDD1Dull + 17);
    std::normal_distribution<double> gauss(0.0, 1.0);
    const double noise = db_to_gain(cap.noise_floor_dbfs.value_or(room.noise_floor_dbfs));
    const double loop_noise = db_to_gain(-110.0);
    for (std::size_t n = 0; n < out_len; ++n) {
        rec.audio(0, n) = mic[n] + noise * gauss(rng);
        rec.audio(1, n) = loop[n] + loop_noise * gauss(rng);
    }
    return rec;
}

VirtualRecorder::VirtualRecorder(const VirtualRoomSpec& room, Hz rate, bool loopback)
    : room_(room), rate_(rate), loopback_(loopback) {
    room_.validate();
}

std::vector<std::string> VirtualRecorder::output_channels() const {
    std::vector<std::string> names;
    for (const auto& s : room_.speakers) names.push_back(s.channel);
    return names;
}

void VirtualRecorder::set_position(int position) {
    if (position < 1 || position > static_cast<int>(room_.mic_positions.size()))
        throw UsageError("virtual room " + room_.name + " has mic positions 1 to " +
                         std::to_string(room_.mic_positions.size()) + "; position " + std::to_string(position) +
                         " does not exist");
    position_ = position;
}

std::string VirtualRecorder::describe() const {
    return "virtual room \"" + room_.name + "\" (" + room_.description + ")";
}

const ImpulseResponse& VirtualRecorder::true_response(const std::string& channel, int position) {
    const auto key = std::make_pair(channel, position);
    if (auto it = responses_.find(key); it != responses_.end()) return it->second;
    std::size_t speaker = room_.speakers.size();
    for (std::size_t s = 0; s < room_.speakers.size(); ++s)
        if (room_.speakers[s].channel == channel) speaker = s;
    if (speaker == room_.speakers.size())
        throw UsageError("virtual room " + room_.name + " has no loudspeaker \"" + channel + "\"");
    auto ir = simulate_impulse_response(room_, speaker, room_.mic_positions[static_cast<std::size_t>(position - 1)],
                                        rate_, 1u << 17, static_cast<std::uint64_t>(position));
    // As the recording hears it: through the interface's input gain.
    for (auto& v : ir.samples) v *= db_to_gain(room_.capture_gain_db);
    return responses_.emplace(key, std::move(ir)).first->second;
}

RecorderTake VirtualRecorder::play_and_record(const std::vector<std::pair<std::string, std::vector<double>>>& playback,
                                              std::size_t extra_frames,
                                              const std::function<void(const RecorderProgress&)>& progress) {
    if (playback.empty()) throw UsageError("nothing to play");
    const std::size_t frames = playback.front().second.size();
    AudioBuffer<double> out(loopback_ ? 2 : 1, frames + extra_frames);
    ++takes_;
    bool first = true;
    for (const auto& [channel, signal] : playback) {
        if (signal.size() != frames) throw UsageError("playback channels differ in length");
        VirtualCapture cap;
        cap.sample_rate = rate_;
        cap.impulse_response = true_response(channel, position_);
        cap.seed = takes_ * 1000 + static_cast<std::uint64_t>(position_);
        if (!first) cap.noise_floor_dbfs = -300.0;  // the room's noise is heard once, not per speaker
        const auto rec = simulate_recording(room_, cap, signal, extra_frames);
        for (std::size_t n = 0; n < out.num_frames(); ++n) {
            out(0, n) += rec.audio(0, n);
            if (loopback_ && first) out(1, n) = rec.audio(1, n);
        }
        first = false;
    }
    if (progress) progress({1.0, -200.0});
    return {std::move(out), 0};
}

}  // namespace roomcal::measure
