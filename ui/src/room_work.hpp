// The monitor's long work on rooms, run on Jobs: measuring through a Recorder (the
// virtual room under --simulate), fitting, and saving a room profile so that a run cut
// short (the window closed mid-measurement or mid-fit) never leaves a corrupt profile:
// a profile is written to a fresh folder and swapped in only when complete.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "job.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/measure/recorder.hpp"
#include "roomcal/ui/app.hpp"

namespace roomcal::ui {

struct MeasureRequest {
    std::string room_name;
    std::vector<std::string> channels;
    int positions = 1;
};

struct MeasuredRoom {
    Room room;
    std::vector<MeasureTake> takes;
};

// Measures every channel at every position through `recorder` (loopback timing when the
// recorder has it). Progress runs 0..1 over all takes; Cancelled ends it between or
// inside sweeps.
// `input_peak` (may be null) follows the mic input's level as the sweeps play.
MeasuredRoom measure_room(measure::Recorder& recorder, const MeasureRequest& request, Progress& progress,
                          std::atomic<double>* input_peak = nullptr);

// Writes `room` to `dir` whole or not at all: into a sibling folder first, then swapped in.
void save_room_atomically(const Room& room, const std::filesystem::path& dir);

// The views a page draws: each position's 1/6-octave response, the average and spread.
RoomEntry room_entry(Room room, const std::filesystem::path& dir);

// Fit options from the Correct page's settings.
struct FitSettings {
    double tilt_db_per_octave = 0.0;
    double bass_shelf_db = 0.0;
    double bass_shelf_hz = 100.0;
    std::string target_file;  // a REW house-curve file; empty: none
    double max_boost_db = 6.0;
    double range_low_hz = 20.0, range_high_hz = 500.0;
    int max_filters = 10;
    FitModeChoice mode = FitModeChoice::parametric;
};
correct::FitOptions fit_options(const FitSettings& settings);

}  // namespace roomcal::ui
