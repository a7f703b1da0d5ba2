// The monitor app as a function of its state: App holds everything a page shows (rooms,
// the measurement wizard, the fit, the engine and its meters, the comparison) and frame()
// draws one ImGui frame of it. It opens no window: roomcal-monitor gives it a GLFW
// window, tests drive it headless through ImGui's input API. Long work runs on Jobs; the
// UI thread never waits on them or on the audio thread.
#pragma once

#include <imgui.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/compare/compare.hpp"
#include "roomcal/compare/pairs.hpp"
#include "roomcal/compare/translate.hpp"
#include "roomcal/core/mastering_chain.hpp"
#include "roomcal/core/room.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/engine/meters.hpp"
#include "roomcal/measure/recorder.hpp"
#include "roomcal/measure/session.hpp"
#include "roomcal/measure/waterfall.hpp"
#include "roomcal/ui/plot.hpp"

namespace roomcal::ui {

enum class Page { audio, measure, correct, monitor, compare, rooms };
inline constexpr Page all_pages[] = {Page::audio,   Page::measure, Page::correct,
                                     Page::monitor, Page::compare, Page::rooms};
const char* page_name(Page p);  // "audio", "measure", ...
// Throws roomcal::UsageError listing the pages for an unknown name.
Page parse_page(const std::string& name);

struct AppOptions {
    std::string room_dir;     // --room: open this room profile
    std::string simulate;     // --simulate NAME: the virtual room is the audio device
    std::string device;       // --device: the audio device (else the saved one, else the default)
    std::string mix, master;  // --mix/--master: compared at start, then played A/B
    std::optional<Page> page;
    // State (imgui.ini, monitor.json) and measured rooms live here; empty: nothing persists.
    std::filesystem::path config_dir;
    bool audio = true;               // false: no sound at all (tests of the pages alone)
    unsigned frames_per_buffer = 0;  // 0: the saved size, else 256
    int positions = 3;               // the wizard's default mic positions per channel
    bool prepare_simulation = true;  // with --simulate: measure, fit and compare at start
};

// What the wizard and the pages know of one room.
struct RoomEntry {
    std::filesystem::path dir;
    Room room;
    // Per channel: each position's response (unsmoothed, and at 1/6 octave) and the
    // 1/6-octave average and spread.
    struct ChannelView {
        std::string channel;
        std::vector<FrequencyResponse> raw_positions;
        std::vector<FrequencyResponse> positions;
        FrequencyResponse average;
        std::vector<double> spread_db;
    };
    std::vector<ChannelView> channels;
};

enum class MeasureStep { setup, level, running, results };
enum class FitModeChoice { parametric, fir, mixed };

struct MeasureTake {
    std::string channel;
    int position = 1;
    measure::TakeResult take;
};

// Where a control was drawn, in window pixels.
struct ControlRect {
    ImVec2 min, max;
    ImVec2 centre() const { return {0.5f * (min.x + max.x), 0.5f * (min.y + max.y)}; }
};

class AudioDriver;
template <typename T>
class Job;

class App {
public:
    explicit App(AppOptions options);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Draws one frame (call between ImGui::NewFrame and ImGui::Render).
    void frame();
    // True while any background job (measuring, fitting, comparing, preparing) runs.
    bool busy() const;

    // --- actions: what the buttons and keys do (the tests call some directly) ---
    void set_page(Page p) {
        page_ = p;
        page_requested_ = true;
    }
    Page page() const { return page_; }
    void set_correction_enabled(bool on);
    bool correction_enabled() const { return correction_on_; }
    void toggle_ab();  // mix/master on the file player
    bool ab_is_b() const;
    void play_pause();
    bool playing() const;
    void select_room(std::size_t index);  // the correction that runs; 1–9 on the keyboard
    std::optional<std::size_t> selected_room() const { return selected_room_; }
    void set_audition_room(std::optional<std::size_t> index);  // "as heard in room X"
    void set_chain_bypassed(bool bypassed);
    bool chain_bypassed() const { return chain_bypassed_; }
    // Where the mic (and a loopback wire) are on the audio device (1-based, as the
    // interface labels them); the Measure page sets them. Not used under --simulate.
    void set_measure_inputs(int mic_input, std::optional<std::pair<int, int>> loopback_out_in);
    void start_level_check();
    void start_measurement();
    void start_fit();
    void start_compare(const std::string& mix, const std::string& master);
    void start_translation();
    bool save_state();  // Ctrl+S: window layout, last room, devices, chain

    // --- state the tests read ---
    const std::vector<RoomEntry>& rooms() const { return rooms_; }
    MeasureStep measure_step() const { return measure_step_; }
    const std::vector<MeasureTake>& takes() const { return takes_; }
    const std::optional<correct::FitResult>& fit() const { return fit_; }
    const std::optional<compare::Comparison>& comparison() const { return comparison_; }
    const std::string& status_line() const { return status_; }
    const std::string& last_error() const { return error_; }
    // Where a labelled control was drawn in the last frame (for a test driver's clicks).
    std::optional<ControlRect> control_rect(const std::string& label) const;
    const MasteringChain& chain() const { return chain_; }
    engine::MeterReadings meter_readings() const;
    std::size_t audio_late_blocks() const;
    std::size_t audio_xruns() const;
    std::size_t audio_callbacks() const;

private:
    // pages
    void draw_audio_page();
    void draw_measure_page();
    void draw_correct_page();
    void draw_monitor_page();
    void draw_compare_page();
    void draw_rooms_page();
    void draw_status_bar();
    void handle_keys();
    void poll_jobs();
    // helpers
    bool button(const char* label, bool enabled = true);
    void remember_control(const std::string& label);
    void load_room(const std::filesystem::path& dir, bool select);
    void add_room(Room room, const std::filesystem::path& dir, bool select);
    void apply_correction();
    void apply_chain();
    void compare_loaded_pair();  // mix_pair_, on compare_job_
    void apply_edited_filters();
    void export_correction(const std::string& format);
    void restart_audio();
    void load_state();
    void prepare_simulation();
    std::filesystem::path rooms_dir() const;
    // What the wizard measures through: the virtual room, or the device (stopping the
    // live audio, which holds it, until the work ends).
    std::function<std::unique_ptr<measure::Recorder>()> recorder_factory();

    AppOptions options_;
    Page page_ = Page::monitor;
    bool page_requested_ = true;  // the tab bar selects page_ on the next frame
    std::string last_room_;       // from the saved state
    std::string status_, error_;
    std::map<std::string, ControlRect> controls_;

    // audio
    std::unique_ptr<AudioDriver> audio_;
    std::string device_;
    unsigned buffer_ = 256;
    double rate_ = 48000.0;
    bool correction_on_ = true;
    bool chain_bypassed_ = false;
    std::optional<std::size_t> selected_room_, audition_room_;
    MasteringChain chain_;
    std::optional<std::pair<MasteringChain, Curve>> chain_curve_;  // the Monitor page's EQ curve, for this chain
    std::vector<std::string> device_names_;
    std::string host_api_text_;
    bool tone_on_ = false;
    std::vector<float> load_history_;

    // rooms
    std::vector<RoomEntry> rooms_;

    // measure wizard
    MeasureStep measure_step_ = MeasureStep::setup;
    std::vector<std::string> measure_channels_;
    std::vector<char> measure_use_;
    int measure_positions_ = 3;
    std::string measure_room_name_;
    int mic_input_ = 1;
    bool use_loopback_ = false;
    int loopback_out_ = 3, loopback_in_ = 2;
    bool audio_paused_for_measuring_ = false;
    std::vector<std::pair<std::string, measure::LevelCheck>> level_checks_;
    // The mic input's live peak while a level check or sweep runs (dBFS; the job writes it).
    std::shared_ptr<std::atomic<double>> input_peak_ = std::make_shared<std::atomic<double>>(-200.0);
    std::vector<MeasureTake> takes_;
    int result_view_ = 0, smoothing_ = 3, result_channel_ = 0;
    std::unique_ptr<Job<std::vector<std::pair<std::string, measure::LevelCheck>>>> level_job_;
    struct MeasureOutcome {
        Room room;
        std::filesystem::path dir;
        std::vector<MeasureTake> takes;
    };
    std::unique_ptr<Job<MeasureOutcome>> measure_job_;

    // correct
    float target_tilt_ = 0.0f, target_bass_db_ = 0.0f, target_bass_hz_ = 100.0f;
    std::string target_file_;
    float max_boost_db_ = 6.0f, range_lo_ = 20.0f, range_hi_ = 500.0f;
    int max_filters_ = 10;
    FitModeChoice fit_mode_ = FitModeChoice::parametric;
    std::optional<correct::FitResult> fit_;
    std::size_t fit_room_ = 0;
    int fit_channel_ = 0;
    bool filters_edited_ = false;
    std::map<std::string, std::vector<ParametricFilter>> original_parametric_;  // as fitted, by channel
    std::map<std::string, std::pair<FrequencyResponse, FrequencyResponse>> smoothed_prediction_;  // before, after
    std::unique_ptr<Job<correct::FitResult>> fit_job_;

    // compare
    std::string mix_path_, master_path_;
    std::optional<compare::Comparison> comparison_;
    std::vector<compare::Comparison> pair_history_;
    std::optional<compare::PairsSummary> pairs_summary_;  // once two or more pairs are in
    std::unique_ptr<Job<compare::Comparison>> compare_job_;
    std::optional<compare::Translation> translation_;
    std::unique_ptr<Job<compare::Translation>> translate_job_;
    struct MixPair {
        AudioBuffer<float> mix, master;
        double rate = 48000.0;
    };
    std::shared_ptr<MixPair> mix_pair_;
    std::unique_ptr<Job<std::shared_ptr<MixPair>>> load_job_;
    bool prepare_pending_ = false;
    // --simulate: the other built-in rooms, measured at the listening position and fitted.
    struct OtherRoom {
        Room room;
        std::filesystem::path dir;
    };
    std::unique_ptr<Job<std::vector<OtherRoom>>> others_job_;

    // the Measure page's derived views, by room/channel(/smoothing)
    struct SmoothedView {
        std::vector<FrequencyResponse> positions;
        FrequencyResponse average;
        std::vector<double> spread_db;
    };
    std::map<std::string, SmoothedView> smoothed_cache_;
    std::map<std::string, measure::Waterfall> waterfall_cache_;
    std::map<std::string, std::vector<Curve>> decay_cache_;  // Schroeder curves per octave band

    // plots (zoom and pan live here)
    std::map<std::string, PlotState> plots_;
};

}  // namespace roomcal::ui
