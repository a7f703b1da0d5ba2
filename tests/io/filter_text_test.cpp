// Equalizer APO, REW and CamillaDSP text: round trips measured as responses, the
// documented keys, APO's own reading of shelves, and errors that name the line.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <sstream>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/filter_text.hpp"

using namespace roomcal;

namespace {

FilterSet sample_set() {
    FilterSet set;
    set.sample_rate = Hz(48000.0);
    set.preamp_db = -5.5;
    set.description = "peq, target flat";
    ChannelFilter l;
    l.channel = "L";
    l.gain_db = -5.5;
    l.delay_samples = 27.0;
    // Settings as a fit leaves them: more digits than the text keeps.
    l.parametric = {{FilterType::peaking, 46.53117093, 4.471236551, -9.373458812},
                    {FilterType::peaking, 63.29771948, 8.123449213, -6.120387166},
                    {FilterType::low_shelf, 105.2512733, 0.707106781, 3.254976119},
                    {FilterType::peaking, 1234.567891, 2.250034417, 2.499962381},
                    {FilterType::high_shelf, 9500.012345, 0.650029116, -2.750044873},
                    {FilterType::peaking, 15000.00617, 1.500041332, 1.749958821}};
    ChannelFilter r;
    r.channel = "R";
    r.gain_db = -3.0;
    r.parametric = {{FilterType::peaking, 38.74996231, 5.499968312, -7.500047123},
                    {FilterType::low_shelf, 80.00003311, 0.899987654, -2.000031234},
                    {FilterType::high_shelf, 4000.004231, 0.707106781, 1.500012345},
                    {FilterType::high_pass, 18.00001234, 0.707106781, 0.0}};
    set.channels = {l, r};
    dsp::realise_parametric(set);
    return set;
}

double response_db(double gain_db, const std::vector<ParametricFilter>& filters, Hz fs, Hz f) {
    std::complex<double> h = db_to_gain(gain_db);
    for (const auto& b : dsp::design_biquads(filters, fs)) h *= b.response(f, fs);
    return 20.0 * std::log10(std::abs(h));
}

// Largest dB difference from 20 Hz to 20 kHz of two corrections designed at `fs`.
double worst_difference_db(double gain_a, const std::vector<ParametricFilter>& a, double gain_b,
                           const std::vector<ParametricFilter>& b, Hz fs) {
    double worst = 0.0;
    for (int i = 0; i <= 3000; ++i) {
        const Hz f(20.0 * std::pow(1000.0, i / 3000.0));
        worst = std::max(worst, std::abs(response_db(gain_a, a, fs, f) - response_db(gain_b, b, fs, f)));
    }
    return worst;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

// The `filters:` section of a YAML file written by camilladsp_yaml: name -> key -> value,
// keys of `parameters` and the filter's own `type` (as "filter_type").
std::map<std::string, std::map<std::string, std::string>> yaml_filters(const std::string& yaml) {
    std::map<std::string, std::map<std::string, std::string>> out;
    std::istringstream in(yaml);
    std::string line, section, name;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] != ' ') {
            section = line.substr(0, line.find(':'));
            continue;
        }
        if (section != "filters") continue;
        const auto indent = line.find_first_not_of(' ');
        const auto colon = line.find(':');
        const std::string key = line.substr(indent, colon - indent);
        const std::string value = colon + 1 < line.size() ? line.substr(colon + 2) : "";
        if (indent == 2)
            name = key;
        else if (indent == 4 && key == "type")
            out[name]["filter_type"] = value;
        else if (indent == 6)
            out[name][key] = value;
    }
    return out;
}

}  // namespace

TEST_CASE("Equalizer APO text round trip keeps the response within 0.01 dB at 44.1 48 and 96 kHz",
          "[io][filter_text]") {
    const auto set = sample_set();
    const auto text = io::equalizer_apo_text(set);
    CHECK(text.find("Channel: L\nPreamp: -5.5000 dB\nDelay: 0.5625 ms\nFilter 1: ON PK Fc 46.5312 Hz Gain -9.3735 dB "
                    "Q 4.4712\n") != std::string::npos);
    CHECK(text.find("ON LSC Fc 105.2513 Hz Gain 3.2550 dB Q 0.7071") != std::string::npos);
    CHECK(text.find("ON HSC Fc 9500.0123 Hz") != std::string::npos);
    CHECK(text.find("ON HPQ Fc 18.0000 Hz Q 0.7071") != std::string::npos);
    // The 15 kHz bell differs from APO's bilinear design by more than 0.05 dB: said so.
    CHECK(text.find("bilinear transform") != std::string::npos);

    const auto config = io::parse_equalizer_apo_text(text, "apo.txt");
    CHECK(config.channel_names() == std::vector<std::string>{"L", "R"});
    for (const auto& original : set.channels) {
        const auto back = config.for_channel(original.channel);
        REQUIRE(back.filters.size() == original.parametric.size());
        CHECK(back.delay_ms * 48.0 == Approx(original.delay_samples).margin(1e-9));
        for (double rate : {44100.0, 48000.0, 96000.0}) {
            const double worst =
                worst_difference_db(original.gain_db, original.parametric, back.preamp_db, back.filters, Hz(rate));
            CAPTURE(original.channel, rate);
            CHECK(worst < 0.01);
        }
    }
}

TEST_CASE("REW filter settings round trip keeps the response within 0.01 dB", "[io][filter_text]") {
    const auto set = sample_set();
    for (const auto& original : set.channels) {
        const auto text = io::rew_filter_text(set, original.channel);
        CHECK(text.rfind("Filter Settings file\n", 0) == 0);
        CHECK(text.find("Equaliser: Generic\n") != std::string::npos);
        CHECK(io::detect_filter_text(text) == io::FilterTextKind::rew);
        const auto back = io::parse_rew_filter_text(text, "rew.txt");
        REQUIRE(back.size() == original.parametric.size());
        for (double rate : {44100.0, 48000.0, 96000.0}) {
            // REW settings hold no gain: compare the filters alone.
            const double worst = worst_difference_db(0.0, original.parametric, 0.0, back, Hz(rate));
            CAPTURE(original.channel, rate);
            CHECK(worst < 0.01);
        }
    }
    CHECK(io::rew_filter_text(set, "L").find(
              "Filter  1: ON  PK       Fc    46.5312 Hz  Gain  -9.3735 dB  Q  4.4712\n") != std::string::npos);
    CHECK_THROWS_AS(io::rew_filter_text(set, "C"), Error);
}

TEST_CASE("a REW export as REW writes it is read", "[io][filter_text]") {
    const std::string text =
        "Filter Settings file\r\n\r\nRoom EQ V5.31.3\r\nDated: 4 Oct 2026 13:30:00\r\n\r\nNotes:Left speaker\r\n\r\n"
        "Equaliser: Generic\r\nAverage 1\r\n"
        "Filter  1: ON  PK       Fc   46.50 Hz  Gain  -9.40 dB  Q  4.470\r\n"
        "Filter  2: ON  None\r\n"
        "Filter  3: OFF PK       Fc   80.0 Hz  Gain  -2.00 dB  Q  2.000\r\n"
        "Filter  4: ON  LSC      Fc   200.0 Hz  Gain   2,50 dB  Q  0,707\r\n"
        "Filter  5: ON  HP       Fc   25.0 Hz\r\n";
    const auto filters = io::parse_rew_filter_text(text, "rew.txt");
    REQUIRE(filters.size() == 3);
    CHECK(filters[0] == ParametricFilter{FilterType::peaking, 46.5, 4.47, -9.4});
    CHECK(filters[1].type == FilterType::low_shelf);
    CHECK(filters[1].gain_db == Approx(2.5));
    CHECK(filters[1].q == Approx(0.707));
    CHECK(filters[2].type == FilterType::high_pass);
    CHECK(filters[2].q == Approx(std::sqrt(0.5)));
}

TEST_CASE("centred shelves and slopes are read as Equalizer APO designs them", "[io][filter_text]") {
    // APO's design of "LS Fc 100 Hz Gain 6 dB": slope S = 0.9, its frequency moved up by
    // 10^(|G| / (80 S)), and the cookbook's S form of alpha.
    auto apo_design = [](bool low, double f, double gain, double s, Hz fs) {
        const double a = std::pow(10.0, gain / 40.0);
        const double shifted =
            low ? f * std::pow(10.0, std::abs(gain) / 80.0 / s) : f / std::pow(10.0, std::abs(gain) / 80.0 / s);
        const double q = 1.0 / std::sqrt((a + 1.0 / a) * (1.0 / s - 1.0) + 2.0);
        return dsp::design_cookbook_biquad({low ? FilterType::low_shelf : FilterType::high_shelf, shifted, q, gain},
                                           fs);
    };
    const Hz fs(48000.0);
    const auto config = io::parse_equalizer_apo_text(
        "Filter: ON LS Fc 100 Hz Gain 6 dB\nFilter: ON HS 6dB Fc 5000 Hz Gain -4 dB\nFilter: ON LSC 12dB Fc 200 Hz "
        "Gain 3 dB\n",
        "apo.txt");
    const auto& f = config.sections.front().filters;
    REQUIRE(f.size() == 3);
    const Biquad expected[] = {apo_design(true, 100.0, 6.0, 0.9, fs), apo_design(false, 5000.0, -4.0, 0.5, fs)};
    for (int i = 0; i < 2; ++i) {
        const Biquad got = dsp::design_cookbook_biquad(f[i], fs);
        double worst = 0.0;
        for (double hz = 10.0; hz < 20000.0; hz *= 1.01)
            worst = std::max(worst, std::abs(20.0 * std::log10(std::abs(got.response(Hz(hz), fs)) /
                                                               std::abs(expected[i].response(Hz(hz), fs)))));
        CAPTURE(i);
        CHECK(worst < 1e-9);
    }
    // "LSC 12dB" is S = 1 at the stated (corner) frequency: Q = 1/sqrt(2).
    CHECK(f[2].frequency_hz == 200.0);
    CHECK(f[2].q == Approx(std::sqrt(0.5)));
}

TEST_CASE("Equalizer APO sections apply to their channels", "[io][filter_text]") {
    const auto config = io::parse_equalizer_apo_text(
        "# global\nPreamp: -6 db\nFilter 1: ON PK Fc 50 Hz Gain -3.0 dB Q 10.00\n\nChannel: L\nPreamp: -1.5 dB\n"
        "Delay: 2 ms\nFilter 2: ON PEQ Fc 100 Hz Gain 1.0 dB BW Oct 0.5\n\nChannel: R C\nDelay: 48 samples\n"
        "Filter 3: ON HPQ Fc 30 Hz Q 0.5\nConvolution: r.wav\n\nChannel: all\nFilter: ON LPQ Fc 18000 Hz Q 0.6\n",
        "apo.txt");
    CHECK(config.channel_names() == std::vector<std::string>{"L", "R", "C"});
    const auto l = config.for_channel("L");
    CHECK(l.preamp_db == Approx(-7.5));
    CHECK(l.delay_ms == 2.0);
    REQUIRE(l.filters.size() == 3);
    CHECK(l.filters[1].q == Approx(1.0 / (2.0 * std::sinh(std::log(2.0) / 4.0))));  // BW 0.5 octave
    CHECK(l.convolutions.empty());
    const auto r = config.for_channel("R");
    CHECK(r.preamp_db == -6.0);
    CHECK(r.delay_samples == 48.0);
    CHECK(r.filters.size() == 3);
    CHECK(r.convolutions == std::vector<std::string>{"r.wav"});
}

TEST_CASE("filter text errors name the file the line and the problem", "[io][filter_text]") {
    auto apo_error = [](const std::string& text) {
        return error_of([&] { io::parse_equalizer_apo_text(text, "eq.txt"); });
    };
    auto e = apo_error("Preamp: -3 dB\nFilter 1: ON PK Fc abc Hz Gain 1 dB Q 1\n");
    CHECK(e.find("eq.txt line 2") != std::string::npos);
    CHECK(e.find("Fc abc Hz") != std::string::npos);
    CHECK(apo_error("Preamp: -3 dB\n\nInclude: other.txt\n").find("line 3") != std::string::npos);
    CHECK(apo_error("Filter 1: ON PK Fc 100 Hz Gain 1 dB Q 0\n").find("Q 0 is outside") != std::string::npos);
    CHECK(apo_error("Filter 1: ON PK Fc 100 Hz Gain 80 dB Q 1\n").find("beyond ±60 dB") != std::string::npos);
    CHECK(apo_error("Filter 1: ON PK Fc -5 Hz Gain 1 dB Q 1\n").find("outside 0–100 kHz") != std::string::npos);
    CHECK(apo_error("Filter 1: ON PK Fc 100 Hz Q 1\n").find("gain (Gain ... dB) is missing") != std::string::npos);
    CHECK(apo_error("Filter 1: ON NO Fc 100 Hz\n").find("filter type NO") != std::string::npos);
    CHECK(apo_error("Filter 1: ON IIR Order 2 Coefficients 1 0 0 1 0 0\n").find("one sample rate") !=
          std::string::npos);
    CHECK(apo_error("Filter 1: ON PK Fc 100 Hz Gain 1 dB Q 1 Wobble 3\n").find("cannot read \"Wobble 3\"") !=
          std::string::npos);
    CHECK(apo_error("just some words\n").find("eq.txt line 1") != std::string::npos);
    CHECK(apo_error("Delay: -2 ms\n").find("negative") != std::string::npos);
    // OFF filters are skipped unread.
    CHECK(apo_error("Filter 1: OFF PK Fc abc Hz\n").empty());

    const auto rew = error_of([] {
        io::parse_rew_filter_text("Filter Settings file\nFilter  1: ON  PK Fc 50 Hz Gain 1 dB Q 2\nstray text\n",
                                  "r.txt");
    });
    CHECK(rew.find("r.txt line 3") != std::string::npos);
    CHECK(error_of([] { io::parse_rew_filter_text("Filter Settings file\n", "r.txt"); }).find("no filter lines") !=
          std::string::npos);
}

TEST_CASE("filter texts are told apart from measurement exports", "[io][filter_text]") {
    CHECK(io::detect_filter_text("\xEF\xBB\xBF"
                                 "Filter Settings file\n\nRoom EQ V5.20\n") == io::FilterTextKind::rew);
    CHECK(io::detect_filter_text("Preamp: -6.8 dB\nFilter 1: ON PK Fc 21 Hz Gain 6.7 dB Q 1.100\n") ==
          io::FilterTextKind::equalizer_apo);
    CHECK(io::detect_filter_text("* Measurement data measured by REW V5.20\n* Freq(Hz) SPL(dB) Phase(degrees)\n"
                                 "20.0 80.1 12.0\n") == io::FilterTextKind::none);
}

TEST_CASE("CamillaDSP YAML has the documented keys and numbers that read back", "[io][filter_text]") {
    auto set = sample_set();
    ChannelFilter c;
    c.channel = "C";
    c.gain_db = -2.0;
    c.biquads = {{0.9, -1.7, 0.8, -1.75, 0.78}};  // raw coefficients, no settings
    c.fir = {1.0, 0.5, 0.25};
    set.channels.push_back(c);

    CHECK_THROWS_AS(io::camilladsp_yaml(set, {}), Error);  // the FIR needs its WAV
    const auto yaml = io::camilladsp_yaml(set, {{"C", "room-C-fir.wav"}});
    for (const char* key : {"devices:\n",
                            "  samplerate: 48000\n",
                            "  chunksize: 1024\n",
                            "filters:\n",
                            "pipeline:\n",
                            "type: Biquad",
                            "type: Peaking",
                            "type: Lowshelf",
                            "type: Highshelf",
                            "type: Highpass",
                            "freq:",
                            "q:",
                            "gain:",
                            "type: Conv",
                            "type: Free",
                            "type: Gain",
                            "type: Delay",
                            "delay_unit: samples",
                            "subsample: false",
                            "filename: \"room-C-fir.wav\"",
                            "  - type: Filter\n",
                            "    channels: [2]\n",
                            "set your device"})
        CHECK(yaml.find(key) != std::string::npos);

    const auto filters = yaml_filters(yaml);
    for (std::size_t ci = 0; ci < 2; ++ci) {
        const auto& ch = set.channels[ci];
        const auto& gain = filters.at(ch.channel + "_gain");
        CHECK(std::stod(gain.at("gain")) == ch.gain_db);
        for (std::size_t i = 0; i < ch.parametric.size(); ++i) {
            const auto& p = ch.parametric[i];
            const auto& f = filters.at(ch.channel + "_peq" + std::to_string(i + 1));
            CAPTURE(ch.channel, i);
            CHECK(f.at("filter_type") == "Biquad");
            if (f.at("type") == "Free") {
                // Only where the cookbook would miss roomcal's design by more than 0.05 dB.
                CHECK(io::cookbook_deviation_db(p, set.sample_rate) > 0.05);
                const Biquad& b = ch.biquads[i];
                CHECK(std::stod(f.at("b0")) == b.b0);
                CHECK(std::stod(f.at("b1")) == b.b1);
                CHECK(std::stod(f.at("b2")) == b.b2);
                CHECK(std::stod(f.at("a1")) == b.a1);
                CHECK(std::stod(f.at("a2")) == b.a2);
                continue;
            }
            CHECK(io::cookbook_deviation_db(p, set.sample_rate) <= 0.05);
            CHECK(std::stod(f.at("freq")) == p.frequency_hz);
            CHECK(std::stod(f.at("q")) == p.q);
            if (p.type != FilterType::high_pass) CHECK(std::stod(f.at("gain")) == p.gain_db);
        }
    }
    CHECK(filters.at("L_peq6").at("type") == "Free");  // the 15 kHz bell at 48 kHz
    CHECK(filters.at("L_peq1").at("type") == "Peaking");
    CHECK(std::stod(filters.at("L_delay").at("delay")) == 27.0);
    CHECK(std::stod(filters.at("C_peq1").at("b1")) == -1.7);
    CHECK(filters.at("C_fir").at("channel") == "0");
}

TEST_CASE("exports of what a format cannot hold are refused", "[io][filter_text]") {
    auto set = sample_set();
    set.channels[1].fir = {1.0, 0.1};
    CHECK(error_of([&] { io::equalizer_apo_text(set); }).find("--format wav") != std::string::npos);
    CHECK(io::equalizer_apo_text(set, {{"R", "r-fir.wav"}}).find("Channel: R\nPreamp: -3.0000 dB\n") !=
          std::string::npos);
    CHECK(io::equalizer_apo_text(set, {{"R", "r-fir.wav"}}).find("Convolution: r-fir.wav\n") != std::string::npos);
    CHECK(error_of([&] { io::rew_filter_text(set, "R"); }).find("FIR") != std::string::npos);
    set.channels[0].parametric.clear();
    CHECK(error_of([&] { io::rew_filter_text(set, "L"); }).find("raw biquad") != std::string::npos);
    const auto apo = io::equalizer_apo_text(set, {{"R", "r-fir.wav"}});
    CHECK(apo.find("Filter 1: ON IIR Order 2 Coefficients ") != std::string::npos);
}
