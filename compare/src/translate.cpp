// Translation across rooms: Welch spectra of the mix weighted by each channel's |H|² on
// the same bins (the listening position's impulse response through a finer FFT, seen
// through the Welch window's kernel), with and without the correction rendered as an impulse response.
#include "roomcal/compare/translate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "roomcal/core/error.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/dsp/filter_render.hpp"
#include "spectrum.hpp"

namespace roomcal::compare {
namespace {

using detail::db_power;

// |H|² of `h` as a Welch frame of n sees it: the fine spectrum weighted by the Hann
// window's power kernel around each of the n/2+1 bins (±4 bins), so that the predicted
// power at the seat equals what a Welch measurement of the seat would give.
std::vector<double> power_on_bins(const std::vector<double>& h, std::size_t n) {
    std::size_t m = 8;
    while (m * n < 2 * h.size()) m <<= 1;
    const auto spec = dsp::rfft(h, m * n);
    const auto sinc = [](double x) { return x == 0.0 ? 1.0 : std::sin(M_PI * x) / (M_PI * x); };
    const long reach = 4 * static_cast<long>(m);
    std::vector<double> kernel(static_cast<std::size_t>(2 * reach + 1));
    double norm = 0.0;
    for (long j = -reach; j <= reach; ++j) {
        const double d = static_cast<double>(j) / static_cast<double>(m);
        const double w = 0.5 * sinc(d) + 0.25 * sinc(d - 1.0) + 0.25 * sinc(d + 1.0);
        kernel[static_cast<std::size_t>(j + reach)] = w * w;
        norm += w * w;
    }
    std::vector<double> out(n / 2 + 1, 0.0);
    const long last = static_cast<long>(spec.size()) - 1;
    for (std::size_t k = 0; k < out.size(); ++k) {
        const long centre = static_cast<long>(k * m);
        double sum = 0.0;
        for (long j = -reach; j <= reach; ++j) {
            long idx = centre + j;
            if (idx < 0) idx = -idx;  // the spectrum of a real signal is even about 0 and Nyquist
            if (idx > last) idx = 2 * last - idx;
            sum += kernel[static_cast<std::size_t>(j + reach)] * std::norm(spec[static_cast<std::size_t>(idx)]);
        }
        out[k] = sum / norm;
    }
    return out;
}

// |H|² on the bins from a magnitude response (log-frequency interpolation), for rooms
// imported without an impulse response.
std::vector<double> power_on_bins(const FrequencyResponse& r, double fs, std::size_t n) {
    std::vector<double> out(n / 2 + 1);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const double f = std::max(r.frequency_hz.front(), static_cast<double>(k) * fs / static_cast<double>(n));
        out[k] = std::pow(10.0, r.magnitude_db_at(Hz(std::min(f, r.frequency_hz.back()))) / 10.0);
    }
    return out;
}

std::vector<std::string> speaker_names(const Room& room, std::size_t mix_channels) {
    std::vector<std::string> names;
    if (room.find_channel("L") && room.find_channel("R"))
        names = {"L", "R"};
    else
        for (const auto& c : room.channels) names.push_back(c.name);
    if (mix_channels == 1) return names;  // a mono mix plays from every speaker
    if (names.size() < mix_channels)
        throw Error("room " + room.name + " has " + std::to_string(names.size()) + " measured speaker(s), the mix " +
                    std::to_string(mix_channels) + " channels; measure the missing speakers first");
    names.resize(mix_channels);
    return names;
}

}  // namespace

Translation translate(AudioView<const float> mix, Hz rate, const std::vector<Room>& rooms) {
    if (rooms.empty()) throw UsageError("name at least one room to translate to");
    Translation t;
    t.sample_rate = rate;
    const double fs = rate.value;
    // Frames of over a second: a room's bass modes ring that long, and a frame much
    // shorter than the room's response would not see the room's effect on it.
    std::size_t n = detail::spectrum_frame(fs, mix.num_frames());
    while (static_cast<double>(n) < 1.0 * fs && 2 * n <= mix.num_frames()) n *= 2;
    const auto frames = detail::gated_frames(mix, n);
    if (frames.empty()) throw Error("the mix is silent (below -70 dBFS); nothing to translate");
    const auto p = detail::channel_spectra(mix, frames, n);
    const double bin_hz = fs / static_cast<double>(n);
    std::vector<std::pair<std::size_t, std::size_t>> band_bins;
    for (double fc : third_octave_centres(Hz(20.0), Hz(20000.0))) {
        const double lo = fc * std::pow(2.0, -1.0 / 6.0), hi = fc * std::pow(2.0, 1.0 / 6.0);
        if (hi > fs / 2.0) break;
        auto k0 = static_cast<std::size_t>(std::ceil(lo / bin_hz)),
             k1 = static_cast<std::size_t>(std::ceil(hi / bin_hz));
        if (k0 >= k1) k1 = k0 + 1;
        t.centres_hz.push_back(fc);
        band_bins.emplace_back(k0, std::min(k1, n / 2 + 1));
    }
    const auto band_power = [&](const std::vector<double>& per_bin, std::size_t b) {
        double s = 0.0;
        for (std::size_t k = band_bins[b].first; k < band_bins[b].second; ++k) s += per_bin[k];
        return s;
    };
    std::vector<double> total(n / 2 + 1, 0.0);
    for (const auto& ch : p)
        for (std::size_t k = 0; k < total.size(); ++k) total[k] += ch[k];
    for (std::size_t b = 0; b < t.centres_hz.size(); ++b) t.mix_db.push_back(db_power(band_power(total, b)));

    for (const auto& room : rooms) {
        RoomTranslation rt;
        rt.room = room.name;
        const auto names = speaker_names(room, mix.num_channels());
        const FilterSet* correction = room.correction_for(rate);
        if (!correction)
            t.warnings.push_back("room " + room.name + " has no correction fitted for " + std::to_string(int(fs)) +
                                 " Hz; only its uncorrected translation is shown");
        std::vector<double> heard(n / 2 + 1, 0.0), heard_c(n / 2 + 1, 0.0);
        for (std::size_t s = 0; s < names.size(); ++s) {
            const auto data = correct::channel_data(room, names[s]);
            const auto h2 = data.listening_ir && std::abs(data.listening_ir->sample_rate.value - fs) < 0.5
                                ? power_on_bins(data.listening_ir->samples, n)
                                : power_on_bins(data.summary.rms_average, fs, n);
            std::vector<double> c2(n / 2 + 1, 1.0);
            if (correction) {
                const ChannelFilter* f = correction->find(names[s]);
                if (!f) throw Error("room " + room.name + "'s correction has no filter for " + names[s]);
                c2 = power_on_bins(
                    dsp::render_impulse_response(*f, rate, std::max<std::size_t>(f->fir.size(), 4096) + 4096, false),
                    n);
            }
            const auto& src = p[mix.num_channels() == 1 ? 0 : s];
            for (std::size_t k = 0; k < heard.size(); ++k) {
                heard[k] += src[k] * h2[k];
                heard_c[k] += src[k] * h2[k] * c2[k];
            }
        }
        auto target = correct::target_for(room, correct::FitOptions{}, names.front());
        const auto deviations = [&](const std::vector<double>& heard_db, std::vector<Band>& out) {
            std::vector<double> d(t.centres_hz.size());
            double mean = 0.0;
            int count = 0;
            for (std::size_t b = 0; b < d.size(); ++b) {
                d[b] = heard_db[b] - t.mix_db[b] - target.level_db(Hz(t.centres_hz[b]));
                if (t.centres_hz[b] >= 200.0 && t.centres_hz[b] <= 2000.0) mean += d[b], ++count;
            }
            mean /= std::max(1, count);
            double ss = 0.0;
            int m = 0;
            for (std::size_t b = 0; b < d.size(); ++b) {
                out.push_back({t.centres_hz[b], d[b] - mean});
                if (t.centres_hz[b] >= 40.0 && t.centres_hz[b] <= 16000.0) ss += (d[b] - mean) * (d[b] - mean), ++m;
            }
            return std::sqrt(ss / std::max(1, m));
        };
        for (std::size_t b = 0; b < t.centres_hz.size(); ++b) rt.heard_db.push_back(db_power(band_power(heard, b)));
        rt.score_db = deviations(rt.heard_db, rt.deviation);
        if (correction) {
            for (std::size_t b = 0; b < t.centres_hz.size(); ++b)
                rt.heard_corrected_db.push_back(db_power(band_power(heard_c, b)));
            rt.score_corrected_db = deviations(rt.heard_corrected_db, rt.deviation_corrected);
        }
        std::vector<Band> sorted;
        for (const auto& d : rt.deviation)
            if (d.centre_hz >= 40.0 && d.centre_hz <= 16000.0) sorted.push_back(d);
        std::sort(sorted.begin(), sorted.end(),
                  [](const Band& a, const Band& b) { return std::abs(a.diff_db) > std::abs(b.diff_db); });
        sorted.resize(std::min<std::size_t>(3, sorted.size()));
        rt.worst = sorted;
        t.rooms.push_back(std::move(rt));
    }
    // Room to room: the largest difference between each pair, as heard uncorrected.
    for (std::size_t a = 0; a < t.rooms.size(); ++a)
        for (std::size_t b = a + 1; b < t.rooms.size(); ++b) {
            std::size_t worst = 0;
            double diff = 0.0;
            for (std::size_t k = 0; k < t.centres_hz.size(); ++k) {
                if (t.centres_hz[k] < 40.0 || t.centres_hz[k] > 16000.0) continue;
                const double d = t.rooms[b].deviation[k].diff_db - t.rooms[a].deviation[k].diff_db;
                if (std::abs(d) > std::abs(diff)) diff = d, worst = k;
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.1f", std::abs(diff));
            t.differences.push_back("in " + t.rooms[b].room + " " + band_name(t.centres_hz[worst]) + " is " + buf +
                                    " dB " + (diff > 0 ? "louder" : "quieter") + " than in " + t.rooms[a].room);
        }
    return t;
}

}  // namespace roomcal::compare
