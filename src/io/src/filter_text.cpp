// Equalizer APO, REW and CamillaDSP text for corrections. The readers follow Equalizer
// APO's own reading of filter lines (BiQuadFilterFactory): shelves without a C are
// centred, their slope S defaults to 0.9 and Q converts to S as in the cookbook.
#include "roomcal/io/filter_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "text_file.hpp"

namespace roomcal::io {
namespace fs = std::filesystem;
namespace {

using text::trim;

constexpr double deviation_limit_db = 0.05;

// Lines as the shared reader splits them, a UTF-8 byte-order mark dropped first.
std::vector<std::string_view> split_lines(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    return text::split_lines(text);
}

// Fixed decimals, no "-0.0000".
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find_first_not_of("-0.") == std::string::npos && s.front() == '-') s.erase(0, 1);
    return s;
}

// Shortest text that reads back as exactly `v`.
std::string exact(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// Free text on one line of a line-based format.
std::string one_line(std::string s) {
    for (auto& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string rate_text(Hz rate) { return fmt(rate.value, 9); }

// ---- reading filter lines ----

struct LineError {
    const std::string& source;
    std::size_t number;
    std::string_view line;

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(source + " line " + std::to_string(number) + ": " + text::quoted(trim(line), 80) + ": " + what);
    }
};

// A number as APO reads it: a decimal comma is a decimal point.
std::optional<double> to_number(std::string s) {
    std::replace(s.begin(), s.end(), ',', '.');
    if (s.size() > 1 && s.front() == '+') s.erase(0, 1);
    double v = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

enum class Shape { peaking, shelf_corner, shelf_centre, pass_q, pass };

struct TypeInfo {
    const char* name;
    FilterType type;
    Shape shape;
};

constexpr TypeInfo known_types[] = {
    {"PK", FilterType::peaking, Shape::peaking},         {"PEQ", FilterType::peaking, Shape::peaking},
    {"LSC", FilterType::low_shelf, Shape::shelf_corner}, {"HSC", FilterType::high_shelf, Shape::shelf_corner},
    {"LS", FilterType::low_shelf, Shape::shelf_centre},  {"HS", FilterType::high_shelf, Shape::shelf_centre},
    {"LPQ", FilterType::low_pass, Shape::pass_q},        {"HPQ", FilterType::high_pass, Shape::pass_q},
    {"LP", FilterType::low_pass, Shape::pass},           {"HP", FilterType::high_pass, Shape::pass},
};

// One `Filter...: ...` line (the part after the colon). nullopt for OFF and None.
std::optional<ParametricFilter> parse_filter_parameters(std::string_view params, const LineError& where) {
    static const std::regex state_re(R"(^(ON|OFF)(\s+|$)(.*)$)");
    static const std::regex type_re(R"(^([A-Za-z]+)\s*(.*)$)");
    static const std::regex slope_re(R"(^([-+0-9.,eE]+)\s*dB(\s+|$)(.*)$)");
    static const std::regex fc_re(R"(^Fc\s*([-+0-9.,eE]+)\s*Hz(\s+|$)(.*)$)");
    static const std::regex gain_re(R"(^Gain\s*([-+0-9.,eE]+)\s*dB(\s+|$)(.*)$)");
    static const std::regex q_re(R"(^Q\s*([-+0-9.,eE]+)(\s+|$)(.*)$)");
    static const std::regex bw_re(R"(^BW\s+Oct\s*([-+0-9.,eE]+)(\s+|$)(.*)$)");

    std::string rest(trim(params));
    std::smatch m;
    if (!std::regex_match(rest, m, state_re)) where.fail("expected ON or OFF after the colon");
    if (m[1] == "OFF") return std::nullopt;
    rest = m[3].str();
    if (!std::regex_match(rest, m, type_re))
        where.fail("expected a filter type (PK, LSC, HSC, LPQ, HPQ, ...) after ON");
    const std::string type_name = m[1].str();
    rest = m[2].str();
    if (type_name == "None") return std::nullopt;
    const TypeInfo* info = nullptr;
    for (const auto& t : known_types)
        if (type_name == t.name) info = &t;
    if (!info) {
        if (type_name == "IIR")
            where.fail(
                "IIR coefficients are designed for one sample rate; roomcal imports parametric filters (PK, LSC, HSC, "
                "LPQ, HPQ) so that it can design them for every rate");
        where.fail("filter type " + type_name +
                   " is not one roomcal can import; use PK, PEQ, LS, LSC, HS, HSC, LP, LPQ, HP or HPQ");
    }
    const bool shelf = info->shape == Shape::shelf_corner || info->shape == Shape::shelf_centre;

    std::optional<double> slope_db, fc, gain, q, bw;
    auto number = [&](const std::string& text, const char* what) {
        const auto v = to_number(text);
        if (!v) where.fail(std::string(what) + " \"" + text + "\" is not a number");
        return *v;
    };
    if (shelf && std::regex_match(rest, m, slope_re)) {
        slope_db = number(m[1].str(), "slope");
        rest = m[3].str();
    }
    while (!rest.empty()) {
        if (std::regex_match(rest, m, fc_re)) {
            if (fc) where.fail("Fc is given twice");
            std::string text = m[1].str();
            std::replace(text.begin(), text.end(), ',', '.');
            fc = number(m[1].str(), "frequency");
            // Equalizer APO's reading of REW's thousands separator: "1.234" is 1234 Hz.
            if (text.size() >= 5 && text.find_first_of("eE") == std::string::npos && text[text.size() - 4] == '.')
                *fc *= 1000.0;
        } else if (std::regex_match(rest, m, gain_re)) {
            if (gain) where.fail("Gain is given twice");
            gain = number(m[1].str(), "gain");
        } else if (std::regex_match(rest, m, q_re)) {
            if (q || bw) where.fail("Q or bandwidth is given twice");
            q = number(m[1].str(), "Q");
        } else if (std::regex_match(rest, m, bw_re)) {
            if (q || bw) where.fail("Q or bandwidth is given twice");
            bw = number(m[1].str(), "bandwidth");
        } else {
            where.fail("cannot read " + text::quoted(rest, 80) + "; expected Fc F Hz, Gain G dB, Q Q or BW Oct B");
        }
        rest = m[3].str();
    }

    if (!fc) where.fail("the frequency (Fc ... Hz) is missing");
    if (!(*fc > 0.0 && *fc <= 100000.0)) where.fail("frequency " + fmt(*fc) + " Hz is outside 0–100 kHz");
    ParametricFilter p;
    p.type = info->type;
    p.frequency_hz = *fc;
    if (info->shape == Shape::peaking || shelf) {
        if (!gain) where.fail("the gain (Gain ... dB) is missing");
        if (std::abs(*gain) > 60.0) where.fail("gain " + fmt(*gain) + " dB is beyond ±60 dB");
        p.gain_db = *gain;
    }
    if (bw && info->shape != Shape::peaking) where.fail("a bandwidth (BW Oct) is only read for PK and PEQ filters");
    if (slope_db && q) where.fail("give a shelf either a slope or a Q, not both");
    if (bw) {
        if (!(*bw > 0.0 && *bw <= 10.0)) where.fail("bandwidth " + fmt(*bw) + " octaves is outside 0–10");
        // The analog relation between bandwidth and Q.
        q = 1.0 / (2.0 * std::sinh(std::numbers::ln2 / 2.0 * *bw));
    }
    if (q && !(*q > 0.0 && *q <= 1000.0)) where.fail("Q " + fmt(*q) + " is outside 0–1000");

    switch (info->shape) {
        case Shape::peaking:
            if (!q) where.fail("a peaking filter needs a Q (Q ...) or a bandwidth (BW Oct ...)");
            p.q = *q;
            break;
        case Shape::pass:
        case Shape::pass_q:
            p.q = q.value_or(std::numbers::sqrt2 / 2.0);
            break;
        case Shape::shelf_corner:
        case Shape::shelf_centre: {
            const double a = std::pow(10.0, p.gain_db / 40.0);
            const double a_sum = a + 1.0 / a;
            double s = 0.0;  // the cookbook's shelf slope S (1 = steepest monotonic)
            if (q) {
                const double denominator = (1.0 / (*q * *q) - 2.0) / a_sum + 1.0;
                s = denominator > 0.0 ? 1.0 / denominator : 0.0;
                p.q = *q;
            } else {
                if (slope_db && !(*slope_db > 0.0 && *slope_db <= 24.0))
                    where.fail("slope " + fmt(*slope_db) + " dB is outside 0–24 dB");
                s = slope_db ? *slope_db / 12.0 : 0.9;
                const double inv_q2 = a_sum * (1.0 / s - 1.0) + 2.0;
                if (!(inv_q2 > 0.0)) where.fail("the slope is too steep for a shelf of this gain");
                p.q = 1.0 / std::sqrt(inv_q2);
            }
            if (info->shape == Shape::shelf_centre) {
                if (!(s > 0.0)) where.fail("this Q is too high for a centred shelf; use LSC or HSC");
                const double factor = std::pow(10.0, std::abs(p.gain_db) / 80.0 / s);
                p.frequency_hz *= p.type == FilterType::low_shelf ? factor : 1.0 / factor;
            }
            break;
        }
    }
    return p;
}

// Splits "Filter 3: ON PK ..." into its parameters; nullopt if the line is no filter line.
std::optional<std::string> filter_parameters(std::string_view line) {
    static const std::regex filter_re(R"(^Filter\s*[0-9]*\s*:(.*)$)");
    std::string s(trim(line));
    std::smatch m;
    if (!std::regex_match(s, m, filter_re)) return std::nullopt;
    return m[1].str();
}

const ChannelFilter& find_channel(const FilterSet& set, const std::string& channel) {
    const ChannelFilter* c = set.find(channel);
    if (c) return *c;
    std::string names;
    for (const auto& other : set.channels) names += (names.empty() ? "" : ", ") + other.channel;
    throw Error("the correction at " + rate_text(set.sample_rate) + " Hz has no channel " + channel +
                (names.empty() ? std::string(" (it has none)") : "; it has " + names));
}

// APO and REW type names for a setting: shelves and passes with an explicit Q.
const char* exchange_type(FilterType t) {
    switch (t) {
        case FilterType::peaking:
            return "PK";
        case FilterType::low_shelf:
            return "LSC";
        case FilterType::high_shelf:
            return "HSC";
        case FilterType::low_pass:
            return "LPQ";
        case FilterType::high_pass:
            return "HPQ";
    }
    return "PK";
}

// ---- YAML ----

// A double-quoted YAML scalar.
std::string yaml_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
            continue;
        }
        out += c;
    }
    return out + "\"";
}

// Filter names: letters, digits, '_' and '-' only, so they need no quoting.
std::string yaml_name(const std::string& channel) {
    std::string out;
    for (const char c : channel) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
    return out.empty() ? "ch" : out;
}

const char* camilla_type(FilterType t) {
    switch (t) {
        case FilterType::peaking:
            return "Peaking";
        case FilterType::low_shelf:
            return "Lowshelf";
        case FilterType::high_shelf:
            return "Highshelf";
        case FilterType::low_pass:
            return "Lowpass";
        case FilterType::high_pass:
            return "Highpass";
    }
    return "Peaking";
}

std::string describe(const ParametricFilter& p) {
    std::string s = std::string(short_name(p.type)) + " " + fmt(p.frequency_hz) + " Hz Q " + fmt(p.q);
    if (p.type != FilterType::low_pass && p.type != FilterType::high_pass) s += " " + fmt(p.gain_db) + " dB";
    return s;
}

}  // namespace

double cookbook_deviation_db(const ParametricFilter& p, Hz fs) {
    const Biquad matched = dsp::design_biquad(p, fs);
    const Biquad cookbook = dsp::design_cookbook_biquad(p, fs);
    const double top = std::min(20000.0, 0.99 * fs.value / 2.0);
    constexpr int points = 2000;
    double worst = 0.0;
    for (int i = 0; i <= points; ++i) {
        const Hz f(10.0 * std::pow(top / 10.0, static_cast<double>(i) / points));
        const double d = 20.0 * std::log10(std::abs(matched.response(f, fs)) / std::abs(cookbook.response(f, fs)));
        worst = std::max(worst, std::abs(d));
    }
    return worst;
}

std::string equalizer_apo_text(const FilterSet& set, const std::map<std::string, std::string>& convolution_wavs) {
    set.validate();
    std::string worst_where;
    double worst = 0.0;
    for (const auto& c : set.channels)
        for (std::size_t i = 0; i < c.parametric.size(); ++i) {
            const double d = cookbook_deviation_db(c.parametric[i], set.sample_rate);
            if (d > worst) {
                worst = d;
                worst_where = "filter " + std::to_string(i + 1) + " of channel " + c.channel;
            }
        }

    std::ostringstream out;
    out << "# Equalizer APO configuration written by roomcal\n";
    out << "# Correction for " << rate_text(set.sample_rate) << " Hz";
    if (!set.description.empty()) out << ": " << one_line(set.description);
    out << "\n# Each channel's Preamp is its whole gain (headroom " << fixed(set.preamp_db, 2) << " dB included).\n";
    if (set.needs_limiter) out << "# The headroom is smaller than the boost: put a limiter after this correction.\n";
    if (worst > deviation_limit_db)
        out << "# Equalizer APO designs these filters with the bilinear transform (Audio EQ Cookbook): at "
            << rate_text(set.sample_rate) << " Hz it differs from roomcal's design by up to " << fixed(worst, 2)
            << " dB below 20 kHz (" << worst_where
            << ").\n# For an exact copy, export --format wav and load it with Convolution.\n";
    for (const auto& c : set.channels) {
        out << "\nChannel: " << c.channel << "\n";
        out << "Preamp: " << fixed(c.gain_db, 4) << " dB\n";
        if (c.delay_samples > 0.0)
            out << "Delay: " << exact(c.delay_samples / set.sample_rate.value * 1000.0) << " ms\n";
        int n = 0;
        if (!c.parametric.empty()) {
            for (const auto& p : c.parametric) {
                out << "Filter " << ++n << ": ON " << exchange_type(p.type) << " Fc " << fixed(p.frequency_hz, 4)
                    << " Hz";
                if (p.type != FilterType::low_pass && p.type != FilterType::high_pass)
                    out << " Gain " << fixed(p.gain_db, 4) << " dB";
                out << " Q " << fixed(p.q, 4) << "\n";
            }
        } else {
            for (const auto& b : c.biquads)
                out << "Filter " << ++n << ": ON IIR Order 2 Coefficients " << exact(b.b0) << " " << exact(b.b1) << " "
                    << exact(b.b2) << " 1 " << exact(b.a1) << " " << exact(b.a2) << "\n";
        }
        if (!c.fir.empty()) {
            const auto wav = convolution_wavs.find(c.channel);
            if (wav == convolution_wavs.end())
                throw Error("channel " + c.channel + " of the correction at " + rate_text(set.sample_rate) +
                            " Hz has an FIR, which Equalizer APO runs from a WAV file (Convolution:); export it with "
                            "--format wav first, or export to equalizerapo through roomcal export, which writes it");
            out << "Convolution: " << wav->second << "\n";
        }
    }
    return out.str();
}

std::string rew_filter_text(const FilterSet& set, const std::string& channel) {
    set.validate();
    const ChannelFilter& c = find_channel(set, channel);
    if (!c.fir.empty())
        throw Error("channel " + channel +
                    " has an FIR, which a REW filter-settings file cannot hold; export it with "
                    "--format wav (or camilladsp / equalizerapo)");
    if (c.parametric.empty() && !c.biquads.empty())
        throw Error("channel " + channel +
                    " holds raw biquad coefficients without parametric settings, which REW's Generic equaliser cannot "
                    "hold; export it with --format camilladsp, equalizerapo or wav");
    std::ostringstream out;
    out << "Filter Settings file\n\nroomcal export\n\n";
    out << "Notes:roomcal correction for channel " << channel << " at " << rate_text(set.sample_rate) << " Hz";
    if (!set.description.empty()) out << " (" << one_line(set.description) << ")";
    out << "; set the channel's gain to " << fixed(c.gain_db, 2) << " dB";
    if (c.delay_samples > 0.0)
        out << " and its delay to " << fixed(c.delay_samples / set.sample_rate.value * 1000.0, 3) << " ms";
    out << "\n\nEqualiser: Generic\n" << channel << "\n";
    int n = 0;
    for (const auto& p : c.parametric) {
        const std::string num = pad_left(std::to_string(++n), 2);
        std::string type = exchange_type(p.type);
        type.resize(8, ' ');
        out << "Filter " << num << ": ON  " << type << " Fc " << pad_left(fixed(p.frequency_hz, 4), 10) << " Hz";
        if (p.type != FilterType::low_pass && p.type != FilterType::high_pass)
            out << "  Gain " << pad_left(fixed(p.gain_db, 4), 8) << " dB";
        out << "  Q " << pad_left(fixed(p.q, 4), 7) << "\n";
    }
    return out.str();
}

std::string camilladsp_yaml(const FilterSet& set, const std::map<std::string, std::string>& fir_wav_paths) {
    set.validate();
    const std::string rate = rate_text(set.sample_rate);
    std::ostringstream out;
    out << "# CamillaDSP configuration written by roomcal: the correction for " << rate << " Hz";
    if (!set.description.empty()) out << " (" << one_line(set.description) << ")";
    out << ".\n# Format: CamillaDSP v4 (the configuration its README documents for v4.2); v3 and older spell "
           "`delay_unit`\n"
        << "# as `unit`. Biquads of type Free hold roomcal's exact coefficients and are right at " << rate
        << " Hz only.\n";
    out << "# Each channel's Gain includes the headroom preamp of " << fixed(set.preamp_db, 2) << " dB.\n";
    if (set.needs_limiter)
        out << "# The headroom is smaller than the boost: add a limiter at the end of the pipeline.\n";
    out << "title: " << yaml_string("roomcal correction") << "\n";
    out << "description: "
        << yaml_string(set.description.empty() ? "room correction at " + rate + " Hz" : set.description) << "\n\n";

    const auto channels = set.channels.size();
    out << "devices:\n";
    out << "  samplerate: " << exact(set.sample_rate.value) << "\n";
    out << "  chunksize: 1024\n";
    out << "  # Set your devices: capture is where the audio comes from (e.g. a loopback device), playback\n"
        << "  # the interface that feeds the loudspeakers. Types: Alsa, PipeWire, CoreAudio, Wasapi, Asio.\n";
    out << "  capture:\n    type: Alsa  # set your device\n    channels: " << channels
        << "\n    device: \"hw:Loopback,1\"  # set your device\n    format: S32_LE  # set your device's format\n";
    out << "  playback:\n    type: Alsa  # set your device\n    channels: " << channels
        << "\n    device: \"hw:0\"  # set your device\n    format: S32_LE  # set your device's format\n\n";

    std::set<std::string> used;
    std::vector<std::vector<std::string>> names(set.channels.size());
    out << "filters:\n";
    for (std::size_t ci = 0; ci < set.channels.size(); ++ci) {
        const auto& c = set.channels[ci];
        std::string prefix = yaml_name(c.channel);
        if (used.contains(prefix)) prefix += "_" + std::to_string(ci);
        used.insert(prefix);
        auto add = [&](const std::string& suffix) {
            names[ci].push_back(prefix + "_" + suffix);
            out << "  " << names[ci].back() << ":\n";
        };

        add("gain");
        out << "    type: Gain\n    parameters:\n      gain: " << exact(c.gain_db) << "\n      scale: dB\n";
        if (c.delay_samples > 0.0) {
            add("delay");
            out << "    type: Delay\n    parameters:\n      delay: " << exact(c.delay_samples)
                << "\n      delay_unit: samples\n      subsample: false\n";
        }
        for (std::size_t i = 0; i < c.biquads.size(); ++i) {
            add("peq" + std::to_string(i + 1));
            out << "    type: Biquad\n";
            const ParametricFilter* p = c.parametric.empty() ? nullptr : &c.parametric[i];
            if (p && cookbook_deviation_db(*p, set.sample_rate) <= deviation_limit_db) {
                out << "    description: " << yaml_string(describe(*p)) << "\n";
                out << "    parameters:\n      type: " << camilla_type(p->type)
                    << "\n      freq: " << exact(p->frequency_hz) << "\n";
                if (p->type != FilterType::low_pass && p->type != FilterType::high_pass)
                    out << "      gain: " << exact(p->gain_db) << "\n";
                out << "      q: " << exact(p->q) << "\n";
            } else {
                const Biquad& b = c.biquads[i];
                out << "    description: "
                    << yaml_string(p ? describe(*p) + ", exact at " + rate + " Hz (the cookbook design differs by " +
                                           fixed(cookbook_deviation_db(*p, set.sample_rate), 2) + " dB)"
                                     : "raw biquad, exact at " + rate + " Hz")
                    << "\n";
                out << "    parameters:\n      type: Free\n      a1: " << exact(b.a1) << "\n      a2: " << exact(b.a2)
                    << "\n      b0: " << exact(b.b0) << "\n      b1: " << exact(b.b1) << "\n      b2: " << exact(b.b2)
                    << "\n";
            }
        }
        if (!c.fir.empty()) {
            const auto wav = fir_wav_paths.find(c.channel);
            if (wav == fir_wav_paths.end())
                throw Error("channel " + c.channel + " of the correction at " + rate +
                            " Hz has an FIR, which CamillaDSP loads from a WAV file; export it with --format wav "
                            "first, or export to camilladsp through roomcal export, which writes it");
            add("fir");
            out << "    type: Conv\n    parameters:\n      type: Wav\n      filename: " << yaml_string(wav->second)
                << "\n      channel: 0\n";
        }
    }

    out << "\npipeline:\n";
    for (std::size_t ci = 0; ci < set.channels.size(); ++ci) {
        out << "  - type: Filter\n    description: " << yaml_string("channel " + set.channels[ci].channel)
            << "\n    channels: [" << ci << "]\n    names:\n";
        for (const auto& n : names[ci]) out << "      - " << n << "\n";
    }
    return out.str();
}

std::vector<ParametricFilter> parse_rew_filter_text(const std::string& text, const std::string& source) {
    std::vector<ParametricFilter> filters;
    bool in_filters = false;
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const LineError where{source, i + 1, lines[i]};
        if (trim(lines[i]).empty()) continue;
        const auto params = filter_parameters(lines[i]);
        if (!params) {
            if (in_filters) where.fail("expected a filter line (Filter N: ON TYPE Fc ... Hz ...) after the first one");
            continue;
        }
        in_filters = true;
        if (auto p = parse_filter_parameters(*params, where)) filters.push_back(*p);
    }
    if (!in_filters)
        throw Error(source +
                    ": holds no filter lines (Filter N: ON PK Fc ... Hz Gain ... dB Q ...); export the "
                    "filters from REW's EQ window with \"Save filter settings to file\"");
    return filters;
}

ApoSection ApoConfig::for_channel(const std::string& channel) const {
    ApoSection out;
    out.channels = {channel};
    for (const auto& s : sections) {
        const bool applies =
            s.channels.empty() || std::find(s.channels.begin(), s.channels.end(), channel) != s.channels.end();
        if (!applies) continue;
        out.preamp_db += s.preamp_db;
        out.delay_ms += s.delay_ms;
        out.delay_samples += s.delay_samples;
        out.filters.insert(out.filters.end(), s.filters.begin(), s.filters.end());
        out.convolutions.insert(out.convolutions.end(), s.convolutions.begin(), s.convolutions.end());
    }
    return out;
}

std::vector<std::string> ApoConfig::channel_names() const {
    std::vector<std::string> names;
    for (const auto& s : sections)
        for (const auto& n : s.channels)
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    return names;
}

ApoConfig parse_equalizer_apo_text(const std::string& text, const std::string& source) {
    static const std::regex command_re(R"(^([A-Za-z]+)\s*[0-9]*\s*:(.*)$)");
    static const std::regex preamp_re(R"(^([-+0-9.,eE]+)\s*dB$)", std::regex::icase);
    static const std::regex delay_re(R"(^([-+0-9.,eE]+)\s*(ms|samples)$)", std::regex::icase);
    ApoConfig config;
    config.sections.emplace_back();
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const LineError where{source, i + 1, lines[i]};
        const std::string line(trim(lines[i]));
        if (line.empty() || line.front() == '#') continue;
        std::smatch m;
        if (!std::regex_match(line, m, command_re))
            where.fail("not an Equalizer APO command (Command: parameters); remove it or make it a # comment");
        const std::string command = m[1].str();
        const std::string params(trim(m[2].str()));
        auto& section = config.sections.back();
        std::smatch v;
        if (command == "Filter") {
            if (auto p = parse_filter_parameters(params, where)) section.filters.push_back(*p);
        } else if (command == "Preamp") {
            const auto db = std::regex_match(params, v, preamp_re) ? to_number(v[1].str()) : std::nullopt;
            if (!db) where.fail("expected Preamp: G dB");
            if (std::abs(*db) > 60.0) where.fail("preamp " + fmt(*db) + " dB is beyond ±60 dB");
            section.preamp_db += *db;
        } else if (command == "Delay") {
            const auto d = std::regex_match(params, v, delay_re) ? to_number(v[1].str()) : std::nullopt;
            if (!d) where.fail("expected Delay: D ms or Delay: D samples");
            if (*d < 0.0) where.fail("a delay cannot be negative");
            const bool ms = v[2].str().size() == 2;
            if (ms ? *d > 10000.0 : *d > 1e7)
                where.fail("a delay of " + fmt(*d) + (ms ? " ms" : " samples") + " is too long");
            (ms ? section.delay_ms : section.delay_samples) += *d;
        } else if (command == "Channel") {
            ApoSection next;
            std::istringstream names(params);
            for (std::string n; names >> n;)
                if (n != "all") next.channels.push_back(n);
            if (params.empty()) where.fail("expected Channel: followed by channel names (L R C LFE ...)");
            config.sections.push_back(std::move(next));
        } else if (command == "Convolution") {
            if (params.empty()) where.fail("expected Convolution: followed by a WAV file");
            section.convolutions.push_back(params);
        } else {
            where.fail("Equalizer APO's " + command +
                       ": is not read by roomcal import, which takes Channel, Preamp, Delay, Filter and Convolution "
                       "lines; remove it or make it a # comment");
        }
    }
    return config;
}

FilterTextKind detect_filter_text(const std::string& text) {
    const auto lines = split_lines(text);
    for (const auto& l : lines) {
        const auto t = trim(l);
        if (t.empty()) continue;
        if (t == "Filter Settings file") return FilterTextKind::rew;
        break;
    }
    static const std::regex apo_re(R"(^(Filter\s*[0-9]*\s*:\s*(ON|OFF)\b.*|Preamp\s*:.*)$)");
    for (const auto& l : lines)
        if (std::regex_match(std::string(trim(l)), apo_re)) return FilterTextKind::equalizer_apo;
    return FilterTextKind::none;
}

std::string read_text_file(const fs::path& path) {
    std::string s = text::read_whole_file(path);
    if (s.find('\0') != std::string::npos)
        throw Error(path.string() +
                    ": is not a plain text file (it holds NUL bytes, as binary files and UTF-16 text "
                    "do); save it as UTF-8 text");
    return s;
}

}  // namespace roomcal::io
