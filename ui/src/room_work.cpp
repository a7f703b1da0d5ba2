// Measuring, fitting and saving rooms for the monitor (see room_work.hpp).
#include "room_work.hpp"

#include <chrono>
#include <system_error>

#include "roomcal/core/error.hpp"
#include "roomcal/core/frequency_response.hpp"
#include "roomcal/correct/target.hpp"
#include "roomcal/io/response_text.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/room_response.hpp"
#include "roomcal/measure/session.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::ui {
namespace fs = std::filesystem;

MeasuredRoom measure_room(measure::Recorder& recorder, const MeasureRequest& request, Progress& progress,
                          std::atomic<double>* input_peak) {
    if (request.channels.empty()) throw UsageError("choose at least one channel to measure");
    if (request.positions < 1 || request.positions > 9) throw UsageError("measure 1 to 9 mic positions");
    measure::SessionOptions so;
    so.sweep.sample_rate = recorder.sample_rate();
    so.loopback = recorder.has_loopback();
    measure::MeasurementSession session(recorder, so);
    MeasuredRoom out;
    out.room.name = request.room_name;
    out.room.metadata["source"] = recorder.describe();
    const double total = static_cast<double>(request.channels.size()) * request.positions;
    double done = 0.0;
    for (const auto& channel : request.channels)
        for (int p = 1; p <= request.positions; ++p) {
            const std::string what = "channel " + channel + ", position " + std::to_string(p);
            progress.report(done / total, what + ": sweep");
            auto take = session.measure(channel, p, [&](const std::string& stage, const measure::RecorderProgress& rp) {
                if (input_peak) input_peak->store(rp.input_peak_dbfs, std::memory_order_relaxed);
                progress.report((done + 0.9 * rp.fraction) / total, what + ": " + stage);
            });
            take.measurement.label = p == 1 ? "listening position" : "position " + std::to_string(p);
            out.room.channel(channel).put(take.measurement);
            out.takes.push_back({channel, p, std::move(take)});
            done += 1.0;
        }
    progress.report(1.0, "measured");
    return out;
}

void save_room_atomically(const Room& room, const fs::path& dir) {
    const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw Error("cannot create " + parent.string() + ": " + ec.message() + "; choose a folder you can write");
    const auto stamp = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    const fs::path fresh = parent / ("." + dir.filename().string() + ".new-" + stamp);
    const fs::path old = parent / ("." + dir.filename().string() + ".old-" + stamp);
    try {
        io::save_room(room, fresh);
    } catch (...) {
        fs::remove_all(fresh, ec);
        throw;
    }
    const bool had = fs::exists(dir);
    if (had) fs::rename(dir, old, ec);
    if (ec) {
        fs::remove_all(fresh, ec);
        throw Error("cannot replace the room profile " + dir.string() + ": " + ec.message());
    }
    fs::rename(fresh, dir, ec);
    if (ec) {
        std::error_code ignore;
        if (had) fs::rename(old, dir, ignore);
        fs::remove_all(fresh, ignore);
        throw Error("cannot write the room profile " + dir.string() + ": " + ec.message());
    }
    if (had) fs::remove_all(old, ec);
}

RoomEntry room_entry(Room room, const fs::path& dir) {
    RoomEntry e;
    e.dir = dir;
    const auto grid = log_frequency_grid(Hz(20.0), Hz(20000.0), 24);
    for (const auto& ch : room.channels) {
        RoomEntry::ChannelView v;
        v.channel = ch.name;
        for (const auto& m : ch.measurements) {
            measure::IrWindow w;
            w.right_ms = 300.0;
            v.raw_positions.push_back(measure::measurement_response(room, m, grid, w));
            v.positions.push_back(measure::smooth(v.raw_positions.back(),
                                                  measure::Smoothing{measure::SmoothingKind::fractional_octave, 6}));
        }
        if (v.positions.empty()) continue;
        const auto s = measure::summarise_positions(v.positions);
        v.average = s.rms_average;
        v.spread_db = s.spread_db;
        e.channels.push_back(std::move(v));
    }
    e.room = std::move(room);
    return e;
}

correct::FitOptions fit_options(const FitSettings& s) {
    correct::FitOptions o;
    o.mode = s.mode == FitModeChoice::parametric ? correct::FitMode::parametric
             : s.mode == FitModeChoice::fir      ? correct::FitMode::fir
                                                 : correct::FitMode::mixed;
    correct::TargetCurve t;
    t.tilt_db_per_octave = s.tilt_db_per_octave;
    t.bass_shelf_db = s.bass_shelf_db;
    t.bass_shelf_corner = Hz(s.bass_shelf_hz);
    if (!s.target_file.empty()) t = correct::with_custom_curve(t, io::read_house_curve(s.target_file), s.target_file);
    o.targets["*"] = t;
    o.peq.filters = s.max_filters;
    o.peq.max_boost_db = s.max_boost_db;
    if (s.mode != FitModeChoice::fir) {
        if (s.range_low_hz >= s.range_high_hz)
            throw UsageError("the fit range starts above where it ends; set the low limit below the high one");
        o.range = std::make_pair(Hz(s.range_low_hz), Hz(s.range_high_hz));
    }
    // The monitor runs at 44.1 and 48 kHz; higher rates are fitted by `roomcal fit`.
    o.rates = {44100.0, 48000.0};
    return o;
}

}  // namespace roomcal::ui
