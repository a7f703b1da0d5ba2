// Virtual room impulse-response synthesis. The response is assembled in the frequency
// domain: broadband part (image sources + diffuse tail) above the modal crossover (modal
// overlap 1, f_s/√3), modal sum below it, joined by a Linkwitz-Riley crossover, then shaped
// by the loudspeaker.
#include "roomcal/measure/virtual_room.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>

#include "roomcal/core/error.hpp"
#include "roomcal/core/filter_set.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::measure {
namespace {

constexpr double speed_of_sound = 343.0;
constexpr double pi = std::numbers::pi;
// Samples before the direct sound: room for the fractional-delay kernels and the
// loudspeaker's (minimum-phase) response to start.
constexpr double pre_delay_samples = 64.0;
constexpr int sinc_half_width = 16;

double distance(const Vec3& a, const Vec3& b) {
    return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) + (a.z - b.z) * (a.z - b.z));
}

// Adds amplitude·δ(t - delay) band-limited by a Hann-windowed sinc.
void add_fractional_impulse(std::vector<double>& out, double delay, double amplitude) {
    const auto centre = static_cast<long>(std::floor(delay));
    for (long k = centre - sinc_half_width + 1; k <= centre + sinc_half_width; ++k) {
        if (k < 0 || k >= static_cast<long>(out.size())) continue;
        const double x = static_cast<double>(k) - delay;
        const double sinc = std::abs(x) < 1e-12 ? 1.0 : std::sin(pi * x) / (pi * x);
        const double window = 0.5 + 0.5 * std::cos(pi * x / sinc_half_width);
        out[static_cast<std::size_t>(k)] += amplitude * sinc * window;
    }
}

// 2nd-order Butterworth section by the bilinear transform (prewarped corner).
Biquad butterworth2(double corner_hz, double fs, bool highpass) {
    const double k = std::tan(pi * corner_hz / fs);
    const double k2 = k * k, sq = std::sqrt(2.0) * k;
    const double a0 = 1 + sq + k2;
    const double a1 = 2 * (k2 - 1) / a0, a2 = (1 - sq + k2) / a0;
    if (highpass) return {1 / a0, -2 / a0, 1 / a0, a1, a2};
    return {k2 / a0, 2 * k2 / a0, k2 / a0, a1, a2};
}

double mean_mid_rt60(const VirtualRoomSpec& r) { return 0.5 * (r.rt60_s[3] + r.rt60_s[4]); }

double schroeder_frequency(const VirtualRoomSpec& r) { return 2000.0 * std::sqrt(mean_mid_rt60(r) / r.volume()); }

// Where modes stop being rendered one by one. Above a modal overlap of 1 (f_s/√3, modal
// overlap growing with f²) a point's modal sum beats like Gaussian noise, so its octave-band
// T30 wanders ±10–20 % around the modes' own decay; rendering that region as the diffuse
// tail keeps the room's stated RT60 measurable from a single response.
double modal_crossover_frequency(const VirtualRoomSpec& r) { return schroeder_frequency(r) / std::sqrt(3.0); }

// Gaussian noise whose short-time spectrum is flat: Griffin & Lim (1984) iterations towards
// unit STFT magnitude, keeping the phases. Plain noise lets each octave band's energy
// fluctuate with its bandwidth-time product, so one response's T30 would miss the band's
// RT60 by ±5–10 % (ISO 3382-2's uncertainty); flattened noise decays as specified.
std::vector<double> spectrally_flat_noise(std::size_t length, std::mt19937_64& rng) {
    constexpr std::size_t frame = 2048, hop = frame / 4;
    constexpr int iterations = 8;
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<double> x(length);
    for (auto& v : x) v = gauss(rng);
    std::vector<double> window(frame);
    for (std::size_t n = 0; n < frame; ++n)
        window[n] = 0.5 - 0.5 * std::cos(2.0 * pi * static_cast<double>(n) / static_cast<double>(frame));
    // Frames wrap around: the tail is circular, like every FFT-domain step that follows.
    std::vector<double> overlap(length, 0.0);
    for (std::size_t start = 0; start < length; start += hop)
        for (std::size_t n = 0; n < frame; ++n) overlap[(start + n) % length] += window[n] * window[n];
    const dsp::RealFft<double> fft(frame);
    dsp::FftBuffer<double> time(frame);
    dsp::FftBuffer<std::complex<double>> bins(fft.num_bins());
    std::vector<double> y(length);
    for (int it = 0; it < iterations; ++it) {
        std::fill(y.begin(), y.end(), 0.0);
        for (std::size_t start = 0; start < length; start += hop) {
            for (std::size_t n = 0; n < frame; ++n) time[n] = x[(start + n) % length] * window[n];
            fft.forward(time.data(), bins.data());
            for (std::size_t k = 0; k < bins.size(); ++k) {
                const double m = std::sqrt(std::norm(bins[k]));
                bins[k] = m > 0.0 ? bins[k] / m : std::complex<double>(1.0, 0.0);
            }
            fft.inverse(bins.data(), time.data());
            for (std::size_t n = 0; n < frame; ++n)
                y[(start + n) % length] += time[n] * window[n] / static_cast<double>(frame);
        }
        for (std::size_t n = 0; n < length; ++n) x[n] = y[n] / overlap[n];
    }
    return x;
}

VirtualRoomSpec make_room(std::string name, std::string description, Vec3 dims, std::array<double, 8> rt60,
                          double speaker_y, double half_spacing, double listen_x, double noise, double latency) {
    VirtualRoomSpec r;
    r.name = std::move(name);
    r.description = std::move(description);
    r.dimensions = dims;
    r.rt60_s = rt60;
    // Speakers near the short front wall (x small), symmetric about the room's centre line.
    const double cy = dims.y / 2.0;
    (void)speaker_y;
    r.speakers = {{"L", {0.6, cy + half_spacing, 1.2}}, {"R", {0.6, cy - half_spacing, 1.2}}};
    // Listening position, then eight positions around it within ±30 cm (the usual
    // "mic positions around the head" a multi-position measurement takes).
    const Vec3 lp{listen_x, cy + 0.03, 1.15};
    r.mic_positions = {lp};
    const double offsets[8][3] = {{0.15, 0.0, 0.0}, {-0.15, 0.0, 0.0}, {0.0, 0.2, 0.0},     {0.0, -0.2, 0.0},
                                  {0.1, 0.1, 0.1},  {-0.1, -0.1, 0.1}, {0.25, -0.15, -0.1}, {-0.2, 0.25, -0.05}};
    for (const auto& o : offsets) r.mic_positions.push_back({lp.x + o[0], lp.y + o[1], lp.z + o[2]});
    r.noise_floor_dbfs = noise;
    r.latency_samples = latency;
    return r;
}

}  // namespace

double VirtualRoomSpec::rt60_at(double f_hz) const {
    const auto& c = rt60_band_centres_hz;
    if (f_hz <= c.front()) return rt60_s.front();
    if (f_hz >= c.back()) return rt60_s.back();
    for (std::size_t i = 1; i < c.size(); ++i)
        if (f_hz <= c[i]) {
            const double t = std::log(f_hz / c[i - 1]) / std::log(c[i] / c[i - 1]);
            return rt60_s[i - 1] + t * (rt60_s[i] - rt60_s[i - 1]);
        }
    return rt60_s.back();
}

void VirtualRoomSpec::validate() const {
    if (!(dimensions.x > 1.0 && dimensions.y > 1.0 && dimensions.z > 1.0))
        throw UsageError("virtual room " + name + ": each dimension must exceed 1 m");
    for (double t : rt60_s)
        if (!(t >= 0.05 && t <= 5.0)) throw UsageError("virtual room " + name + ": RT60 must lie in 0.05–5 s");
    auto inside = [&](const Vec3& p) {
        return p.x > 0 && p.y > 0 && p.z > 0 && p.x < dimensions.x && p.y < dimensions.y && p.z < dimensions.z;
    };
    for (const auto& s : speakers)
        if (!inside(s.position)) throw UsageError("virtual room " + name + ": speaker " + s.channel + " is outside");
    for (const auto& m : mic_positions)
        if (!inside(m)) throw UsageError("virtual room " + name + ": a mic position is outside the room");
}

const std::vector<VirtualRoomSpec>& builtin_rooms() {
    static const std::vector<VirtualRoomSpec> rooms = [] {
        std::vector<VirtualRoomSpec> v;
        v.push_back(make_room("untreated-bedroom", "3.6 × 3.1 × 2.5 m, bare walls, bed and wardrobe", {3.6, 3.1, 2.5},
                              {0.75, 0.62, 0.5, 0.45, 0.42, 0.4, 0.36, 0.3}, 0, 0.55, 1.75, -72, 1234));
        v.push_back(make_room("living-room", "5.8 × 4.3 × 2.6 m, sofa, rug, glass door", {5.8, 4.3, 2.6},
                              {0.85, 0.72, 0.6, 0.55, 0.5, 0.5, 0.46, 0.4}, 0, 0.9, 2.5, -66, 2048));
        v.push_back(make_room("treated-studio", "4.6 × 3.7 × 2.8 m, bass traps and broadband absorbers",
                              {4.6, 3.7, 2.8}, {0.38, 0.3, 0.24, 0.21, 0.2, 0.2, 0.19, 0.18}, 0, 0.7, 1.95, -82, 512));
        return v;
    }();
    return rooms;
}

const VirtualRoomSpec& find_builtin_room(const std::string& name) {
    std::string names;
    for (const auto& r : builtin_rooms()) {
        if (r.name == name) return r;
        names += (names.empty() ? "" : ", ") + r.name;
    }
    throw UsageError("no virtual room named \"" + name + "\"; choose one of: " + names);
}

ImpulseResponse simulate_impulse_response(const VirtualRoomSpec& room, std::size_t speaker, const Vec3& mic, Hz rate,
                                          std::size_t length, std::uint64_t seed) {
    room.validate();
    if (speaker >= room.speakers.size())
        throw UsageError("virtual room " + room.name + " has no speaker number " + std::to_string(speaker + 1));
    if (!(mic.x > 0 && mic.y > 0 && mic.z > 0 && mic.x < room.dimensions.x && mic.y < room.dimensions.y &&
          mic.z < room.dimensions.z))
        throw UsageError("virtual room " + room.name + ": the mic position lies outside the room");
    if (length < 4096) throw UsageError("virtual room impulse response must be at least 4096 samples long");
    const double fs = rate.value;
    const Vec3 src = room.speakers[speaker].position;
    const Vec3 dim = room.dimensions;
    const double d_direct = distance(src, mic);
    const double t_direct = pre_delay_samples + d_direct / speed_of_sound * fs;

    // --- Early reflections: image sources up to the mixing time.
    const double t_mid = mean_mid_rt60(room);
    const double surface = 2.0 * (dim.x * dim.y + dim.x * dim.z + dim.y * dim.z);
    const double alpha = std::clamp(0.161 * room.volume() / (surface * t_mid), 0.01, 0.95);  // Sabine
    const double beta = std::sqrt(1.0 - alpha);
    const double mixing_time = 0.002 * std::sqrt(room.volume()) + 0.02;  // seconds after the direct sound
    const double max_path = d_direct + mixing_time * speed_of_sound;
    std::vector<double> early(length, 0.0);
    const int nx = static_cast<int>(std::ceil(max_path / (2 * dim.x))) + 1;
    const int ny = static_cast<int>(std::ceil(max_path / (2 * dim.y))) + 1;
    const int nz = static_cast<int>(std::ceil(max_path / (2 * dim.z))) + 1;
    for (int ix = -nx; ix <= nx; ++ix)
        for (int iy = -ny; iy <= ny; ++iy)
            for (int iz = -nz; iz <= nz; ++iz)
                for (int p = 0; p < 8; ++p) {
                    const int px = p & 1, py = (p >> 1) & 1, pz = (p >> 2) & 1;
                    const Vec3 img{(1 - 2 * px) * src.x + 2 * ix * dim.x, (1 - 2 * py) * src.y + 2 * iy * dim.y,
                                   (1 - 2 * pz) * src.z + 2 * iz * dim.z};
                    const double d = distance(img, mic);
                    if (d > max_path) continue;
                    const int order = std::abs(2 * ix - px) + std::abs(2 * iy - py) + std::abs(2 * iz - pz);
                    const double delay = pre_delay_samples + d / speed_of_sound * fs;
                    if (delay + sinc_half_width >= static_cast<double>(length)) continue;
                    add_fractional_impulse(early, delay, std::pow(beta, order) * d_direct / d);
                }

    // --- Diffuse tail: spectrally flat noise split into octave bands, each with its own decay,
    // faded in over the mixing time so it takes over where the image sources stop.
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + speaker * 7919 +
                        static_cast<std::uint64_t>(std::llround((mic.x * 1000 + mic.y) * 1000 + mic.z * 10)));
    const auto noise = spectrally_flat_noise(length, rng);
    const std::size_t nfft = length;
    const auto noise_spec = dsp::rfft(noise, nfft);
    const std::size_t bins = noise_spec.size();
    const double onset = t_direct;
    const double ramp = mixing_time * fs;
    // Energy of the diffuse field relative to the direct sound (critical distance), of
    // which the part after the mixing time belongs to the tail.
    const double critical_distance = 0.057 * std::sqrt(room.volume() / t_mid);
    const double tail_energy =
        (d_direct / critical_distance) * (d_direct / critical_distance) * std::exp(-13.8155 * mixing_time / t_mid);
    std::vector<double> tail(length, 0.0);
    for (std::size_t b = 0; b < rt60_band_centres_hz.size(); ++b) {
        // Complementary band split on log-frequency (raised-cosine crossovers between
        // neighbouring band centres), so the bands sum back to white.
        std::vector<std::complex<double>> band(bins);
        for (std::size_t k = 0; k < bins; ++k) {
            const double f = static_cast<double>(k) * fs / static_cast<double>(nfft);
            const double x = f > 0 ? std::log2(f / rt60_band_centres_hz[b]) : -100.0;
            // The outermost bands take everything beyond them.
            const bool below_all = b == 0 && x < 0;
            const bool above_all = b + 1 == rt60_band_centres_hz.size() && x > 0;
            const double w = below_all || above_all ? 1.0 : (std::abs(x) >= 1.0 ? 0.0 : 0.5 + 0.5 * std::cos(pi * x));
            band[k] = noise_spec[k] * w;
        }
        const auto bt = dsp::irfft(band, nfft);
        const double decay = 6.9078 / (room.rt60_s[b] * fs);  // per sample, amplitude
        for (std::size_t n = 0; n < length; ++n) {
            const double t = static_cast<double>(n) - onset;
            if (t <= 0) continue;
            const double fade = t < ramp ? 0.5 - 0.5 * std::cos(pi * t / ramp) : 1.0;
            tail[n] += bt[n] * fade * std::exp(-decay * std::max(0.0, t - ramp));
        }
    }
    double tail_sum = 0.0;
    for (std::size_t n = static_cast<std::size_t>(onset + ramp); n < length; ++n) tail_sum += tail[n] * tail[n];
    const double tail_gain = tail_sum > 0 ? std::sqrt(tail_energy / tail_sum) : 0.0;

    std::vector<double> broadband(length);
    for (std::size_t n = 0; n < length; ++n) broadband[n] = early[n] + tail_gain * tail[n];
    auto spectrum = dsp::rfft(broadband, nfft);

    // --- Modal bass: rigid-wall modes of the rectangle up to 2.5 times the modal
    // crossover, each a resonance decaying with the RT60 at its frequency.
    const double f_crossover = modal_crossover_frequency(room);
    const double f_modal_max = 2.5 * f_crossover;
    std::vector<std::complex<double>> modal(bins, 0.0);
    const int mx = static_cast<int>(2 * dim.x * f_modal_max / speed_of_sound) + 1;
    const int my = static_cast<int>(2 * dim.y * f_modal_max / speed_of_sound) + 1;
    const int mz = static_cast<int>(2 * dim.z * f_modal_max / speed_of_sound) + 1;
    const double k_max = pi * f_modal_max * 1.5;
    for (int a = 0; a <= mx; ++a)
        for (int b = 0; b <= my; ++b)
            for (int c = 0; c <= mz; ++c) {
                const double fn =
                    speed_of_sound / 2.0 *
                    std::sqrt((a / dim.x) * (a / dim.x) + (b / dim.y) * (b / dim.y) + (c / dim.z) * (c / dim.z));
                if (fn > f_modal_max) continue;
                const double shape_s = std::cos(a * pi * src.x / dim.x) * std::cos(b * pi * src.y / dim.y) *
                                       std::cos(c * pi * src.z / dim.z);
                const double shape_m = std::cos(a * pi * mic.x / dim.x) * std::cos(b * pi * mic.y / dim.y) *
                                       std::cos(c * pi * mic.z / dim.z);
                const double norm = (a ? 2.0 : 1.0) * (b ? 2.0 : 1.0) * (c ? 2.0 : 1.0);
                const double wn = 2 * pi * fn;
                const double delta = 6.9078 / room.rt60_at(std::max(fn, 20.0));
                const double phase_delay = t_direct / fs;  // sound leaves the speaker with the direct path
                for (std::size_t k = 1; k < bins; ++k) {
                    const double f = static_cast<double>(k) * fs / static_cast<double>(nfft);
                    if (f > k_max) break;
                    const double w = 2 * pi * f;
                    const std::complex<double> num(0.0, w);
                    const std::complex<double> den(wn * wn - w * w, 2.0 * delta * w);
                    modal[k] += norm * shape_s * shape_m * num / den * std::polar(1.0, -w * phase_delay);
                }
            }
    // Match the modal sum's level to the broadband part around the crossover frequency,
    // then join them with a Linkwitz-Riley crossover: causal, so nothing arrives before
    // the direct sound, and its two halves sum to an all-pass.
    double p_modal = 0.0, p_broad = 0.0;
    for (std::size_t k = 1; k < bins; ++k) {
        const double f = static_cast<double>(k) * fs / static_cast<double>(nfft);
        if (f < f_crossover / 1.5 || f > f_crossover * 1.5) continue;
        p_modal += std::norm(modal[k]);
        p_broad += std::norm(spectrum[k]);
    }
    const double modal_gain = p_modal > 0 ? std::sqrt(p_broad / p_modal) : 0.0;
    const Biquad lp = butterworth2(f_crossover, fs, false);
    const Biquad hp = butterworth2(f_crossover, fs, true);
    const Biquad driver = butterworth2(room.speaker_low_cutoff_hz, fs, true);
    for (std::size_t k = 0; k < bins; ++k) {
        const Hz f(static_cast<double>(k) * fs / static_cast<double>(nfft));
        const auto l = lp.response(f, rate), h = hp.response(f, rate);
        // Loudspeaker: its own 2nd-order high-pass roll-off.
        spectrum[k] = (l * l * modal_gain * modal[k] + h * h * spectrum[k]) * driver.response(f, rate);
    }

    ImpulseResponse ir;
    ir.samples = dsp::irfft(spectrum, nfft);
    ir.sample_rate = rate;
    ir.reference_sample = t_direct;
    // Level: the direct sound at 1 m would be 0 dB; the response is scaled by 1/d like a
    // point source, so positions compare in level as in a real room.
    for (auto& s : ir.samples) s /= d_direct;
    return ir;
}

Room simulated_room_profile(const VirtualRoomSpec& room, int positions, Hz rate, std::size_t length) {
    if (positions < 1 || static_cast<std::size_t>(positions) > room.mic_positions.size())
        throw UsageError("virtual room " + room.name + " has mic positions 1 to " +
                         std::to_string(room.mic_positions.size()));
    Room r;
    r.name = room.name;
    r.metadata["source"] = "virtual room " + room.name + " (true impulse responses)";
    for (std::size_t s = 0; s < room.speakers.size(); ++s)
        for (int p = 1; p <= positions; ++p) {
            Measurement m;
            m.position = p;
            m.label = p == 1 ? "listening position" : "around the listening position";
            m.impulse_response =
                simulate_impulse_response(room, s, room.mic_positions[static_cast<std::size_t>(p - 1)], rate, length);
            m.delay_samples = m.impulse_response.reference_sample;
            m.timing = "loopback";
            r.channel(room.speakers[s].channel).put(std::move(m));
        }
    return r;
}

}  // namespace roomcal::measure
