// `roomcal fit`: fits a correction to the room's measurements and a target curve,
// stores one FilterSet per sample rate in the room profile and prints what it did:
// limits, nulls left alone, channel matching, headroom and the predicted result.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "fit_summary.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/io/response_text.hpp"
#include "roomcal/io/room_profile.hpp"

namespace roomcal::app {
namespace fs = std::filesystem;
namespace {

struct FitCliOptions {
    std::string room, mode = "fir", phase = "minimum", range, positions, rates;
    std::vector<std::string> targets;
    int filters = 10;
    double max_boost = 6.0, max_cut = 15.0, cut_only_above = 0.0, limiter_headroom = 0.0;
    int taps = 65536;
    bool no_align = false;
};

std::vector<double> parse_number_list(const std::string& text, const char* what) {
    std::vector<double> out;
    std::stringstream s(text);
    std::string part;
    while (std::getline(s, part, ',')) {
        std::size_t used = 0;
        double v = 0.0;
        try {
            v = std::stod(part, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != part.size() || part.empty())
            throw UsageError(std::string(what) + ": \"" + part + "\" is not a number");
        out.push_back(v);
    }
    if (out.empty()) throw UsageError(std::string(what) + " is empty");
    return out;
}

// "SPEC" for every channel or "CH=SPEC" for one; SPEC a target or a REW house-curve file.
std::pair<std::string, RoomTarget> target_argument(const std::string& arg, correct::TargetCurve& curve) {
    std::string channel = "*", spec = arg;
    if (const auto eq = arg.find('='); eq != std::string::npos && eq > 0 && eq < 8) {
        channel = arg.substr(0, eq);
        spec = arg.substr(eq + 1);
    }
    RoomTarget stored;
    stored.spec = spec;
    if (fs::is_regular_file(spec)) {
        curve = correct::with_custom_curve({}, io::read_house_curve(spec), fs::path(spec).filename().string());
        stored.curve = curve.custom;
        stored.spec = "file:" + fs::path(spec).filename().string();
    } else {
        curve = correct::parse_target(spec);
    }
    return {channel, stored};
}

}  // namespace

Runner add_fit(CLI::App& app) {
    auto o = std::make_shared<FitCliOptions>();
    auto* cmd = app.add_subcommand("fit", "Fit a correction to a target curve and store it in the room");
    cmd->add_option("--room", o->room, "Room folder")->required();
    cmd->add_option("--target", o->targets,
                    "flat | harman | tilt:-1[@PIVOT] | house:+4@100 | low:HZ|auto | high:HZ, combined with ','; or a "
                    "REW house-curve FILE; CH=SPEC for one channel (repeatable)");
    cmd->add_option("--mode", o->mode, "peq (parametric) | fir | mixed (parametric bass + FIR)")
        ->check(CLI::IsMember({"peq", "fir", "mixed"}))
        ->capture_default_str();
    cmd->add_option("--phase", o->phase, "FIR phase: minimum | linear | mixed")
        ->check(CLI::IsMember({"minimum", "linear", "mixed"}))
        ->capture_default_str();
    cmd->add_option("--filters", o->filters, "Number of parametric filters")->capture_default_str();
    cmd->add_option("--max-boost", o->max_boost, "Largest boost allowed anywhere, dB")->capture_default_str();
    cmd->add_option("--max-cut", o->max_cut, "Largest cut allowed, dB")->capture_default_str();
    cmd->add_option("--range", o->range, "Fit range LO-HI in Hz (default 20-500 for peq, 20-20000 otherwise)");
    cmd->add_option("--cut-only-above", o->cut_only_above, "Only cut above this frequency, Hz");
    cmd->add_option("--taps", o->taps, "FIR length at 48 kHz (scaled per rate)")->capture_default_str();
    cmd->add_option("--rate", o->rates,
                    "Sample rates to design for, comma separated (default 44100,48000,88200,96000)");
    cmd->add_option("--positions", o->positions, "Mic positions to fit on, comma separated (default all)");
    cmd->add_option("--limiter-headroom", o->limiter_headroom,
                    "Use this many dB less preamp and let the output limiter catch the rest")
        ->capture_default_str();
    cmd->add_flag("--no-align", o->no_align, "Do not match the channels' level and arrival time");
    return [o] {
        const fs::path dir(o->room);
        Room room = io::load_room(dir);

        correct::FitOptions fo;
        fo.mode = o->mode == "peq"     ? correct::FitMode::parametric
                  : o->mode == "mixed" ? correct::FitMode::mixed
                                       : correct::FitMode::fir;
        fo.phase = o->phase == "linear"  ? correct::FirPhase::linear
                   : o->phase == "mixed" ? correct::FirPhase::mixed
                                         : correct::FirPhase::minimum;
        fo.peq.filters = o->filters;
        fo.peq.max_boost_db = o->max_boost;
        fo.peq.max_cut_db = o->max_cut;
        fo.cut_only_above = Hz(o->cut_only_above);
        if (o->taps < 256) throw UsageError("--taps must be at least 256");
        fo.taps_at_48k = static_cast<std::size_t>(o->taps);
        fo.limiter_headroom_db = o->limiter_headroom;
        fo.align_channels = !o->no_align;
        if (!o->range.empty()) {
            const auto dash = o->range.find('-');
            if (dash == std::string::npos) throw UsageError("--range must look like LO-HI, e.g. 20-500");
            const auto lo = parse_number_list(o->range.substr(0, dash), "--range");
            const auto hi = parse_number_list(o->range.substr(dash + 1), "--range");
            fo.range = std::pair{Hz(lo.front()), Hz(hi.front())};
        }
        if (!o->rates.empty()) fo.rates = parse_number_list(o->rates, "--rate");
        if (!o->positions.empty())
            for (double p : parse_number_list(o->positions, "--positions")) fo.positions.push_back(static_cast<int>(p));

        std::map<std::string, RoomTarget> stored_targets;
        for (const auto& t : o->targets) {
            correct::TargetCurve curve;
            auto [channel, stored] = target_argument(t, curve);
            fo.targets[channel] = curve;
            stored_targets[channel] = stored;
        }

        const auto res = correct::fit_room(room, fo);

        print_fit_summary(std::cout, room, res, true);

        room.corrections = res.sets;
        for (const auto& [channel, t] : stored_targets) room.targets[channel] = t;
        io::save_room(room, dir);
        std::printf("stored corrections for");
        for (const auto& s : res.sets) std::printf(" %s Hz", fmt(s.sample_rate.value).c_str());
        std::printf(" in %s (fitted in %.2f s)\n", (dir / "room.json").string().c_str(), res.seconds);
        return exit_ok;
    };
}

}  // namespace roomcal::app
