// The App's frame, keys, jobs, actions and persisted state; the pages are in page_*.cpp.
#include "roomcal/ui/app.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "audio_driver.hpp"
#include "job.hpp"
#include "room_work.hpp"
#include "roomcal/app/device_recorder.hpp"
#include "roomcal/compare/demo_music.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/correct/audition.hpp"
#include "roomcal/engine/chain.hpp"
#include "roomcal/engine/correction.hpp"
#include "roomcal/io/audio_file.hpp"
#include "roomcal/io/chain_file.hpp"
#include "roomcal/io/room_profile.hpp"
#include "roomcal/measure/virtual_device.hpp"
#include "roomcal/measure/virtual_room.hpp"
#include "widgets.hpp"

namespace roomcal::ui {
namespace fs = std::filesystem;
using json = nlohmann::json;

const char* page_name(Page p) {
    switch (p) {
        case Page::audio:
            return "audio";
        case Page::measure:
            return "measure";
        case Page::correct:
            return "correct";
        case Page::monitor:
            return "monitor";
        case Page::compare:
            return "compare";
        case Page::rooms:
            return "rooms";
    }
    return "monitor";
}

Page parse_page(const std::string& name) {
    for (Page p : all_pages)
        if (name == page_name(p)) return p;
    throw UsageError("no page named \"" + name + "\"; choose one of: audio, measure, correct, monitor, compare, rooms");
}

namespace {

const char* page_title(Page p) {
    switch (p) {
        case Page::audio:
            return "Audio";
        case Page::measure:
            return "Measure";
        case Page::correct:
            return "Correct";
        case Page::monitor:
            return "Monitor";
        case Page::compare:
            return "Compare";
        case Page::rooms:
            return "Rooms";
    }
    return "";
}

// The master moved onto the mix's timeline and level-matched, for fair A/B: B[n] is the
// master's sample at n + offset, times the gain that matches its loudness to the mix.
AudioBuffer<float> aligned_master(const AudioBuffer<float>& mix, const AudioBuffer<float>& master,
                                  const compare::Comparison& c) {
    AudioBuffer<float> b(mix.num_channels(), mix.num_frames());
    const float g =
        static_cast<float>(std::pow(10.0, -c.gain_match_db / 20.0)) * (c.alignment.polarity_inverted ? -1.0f : 1.0f);
    for (std::size_t ch = 0; ch < b.num_channels(); ++ch) {
        const auto src = master.channel(std::min(ch, master.num_channels() - 1));
        auto dst = b.view().channel(ch);
        for (std::size_t n = 0; n < dst.size(); ++n) {
            const long i = static_cast<long>(n) + c.alignment.offset_samples;
            if (i >= 0 && i < static_cast<long>(src.size())) dst[n] = g * src[static_cast<std::size_t>(i)];
        }
    }
    return b;
}

}  // namespace

App::App(AppOptions options) : options_(std::move(options)) {
    measure_positions_ = options_.positions;
    chain_.eq = {{ParametricFilter{FilterType::low_shelf, 80.0, 0.7071, 0.0}, true},
                 {ParametricFilter{FilterType::peaking, 400.0, 1.0, 0.0}, true},
                 {ParametricFilter{FilterType::peaking, 3000.0, 1.0, 0.0}, true},
                 {ParametricFilter{FilterType::high_shelf, 10000.0, 0.7071, 0.0}, true}};
    load_state();
    if (options_.page) page_ = *options_.page;
    if (!options_.device.empty()) device_ = options_.device;
    if (options_.frames_per_buffer != 0) buffer_ = options_.frames_per_buffer;

    if (!options_.simulate.empty()) {
        const auto& spec = measure::find_builtin_room(options_.simulate);
        for (const auto& s : spec.speakers) measure_channels_.push_back(s.channel);
        measure_room_name_ = spec.name;
    } else {
        measure_channels_ = {"L", "R"};
        measure_room_name_ = "my-room";
    }
    measure_use_.assign(measure_channels_.size(), 1);

    if (const fs::path dir = rooms_dir(); !dir.empty() && fs::is_directory(dir)) {
        std::vector<fs::path> found;
        for (const auto& d : fs::directory_iterator(dir))
            if (d.is_directory() && fs::exists(d.path() / "room.json")) found.push_back(d.path());
        std::sort(found.begin(), found.end());
        for (const auto& d : found) {
            try {
                load_room(d, false);
            } catch (const std::exception& e) {
                error_ = e.what();
            }
        }
    }
    if (!options_.room_dir.empty()) load_room(options_.room_dir, true);
    if (!selected_room_)
        for (std::size_t i = 0; i < rooms_.size(); ++i)
            if (rooms_[i].room.name == last_room_) selected_room_ = i;
    if (!selected_room_ && !rooms_.empty()) selected_room_ = 0;

    if (!options_.simulate.empty()) {
        auto pair = compare::demo_music(Hz(48000.0), 20.0);
        mix_pair_ = std::make_shared<MixPair>(MixPair{std::move(pair.mix), std::move(pair.master), 48000.0});
    }
    if (options_.audio) restart_audio();
    if (!options_.simulate.empty() && options_.prepare_simulation) prepare_simulation();
    if (!options_.mix.empty() || !options_.master.empty()) start_compare(options_.mix, options_.master);
    status_ = options_.simulate.empty() ? "ready" : "virtual room " + options_.simulate;
}

App::~App() {
    // Work still running is cancelled and joined before anything it uses goes away; a
    // cancelled measurement or fit writes nothing.
    if (measure_job_) measure_job_->cancel_and_join();
    if (level_job_) level_job_->cancel_and_join();
    if (fit_job_) fit_job_->cancel_and_join();
    if (compare_job_) compare_job_->cancel_and_join();
    if (translate_job_) translate_job_->cancel_and_join();
    if (load_job_) load_job_->cancel_and_join();
    if (others_job_) others_job_->cancel_and_join();
    audio_.reset();
}

fs::path App::rooms_dir() const { return options_.config_dir.empty() ? fs::path() : options_.config_dir / "rooms"; }

bool App::busy() const {
    auto running = [](const auto& job) { return job && job->running(); };
    return running(measure_job_) || running(level_job_) || running(fit_job_) || running(compare_job_) ||
           running(translate_job_) || running(load_job_) || running(others_job_) || prepare_pending_;
}

void App::load_room(const fs::path& dir, bool select) { add_room(io::load_room(dir), dir, select); }

void App::add_room(Room room, const fs::path& dir, bool select) {
    auto entry = room_entry(std::move(room), dir);
    const std::string prefix = entry.room.name + "/";
    std::erase_if(smoothed_cache_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    std::erase_if(waterfall_cache_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    std::erase_if(decay_cache_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
    std::size_t index = rooms_.size();
    for (std::size_t i = 0; i < rooms_.size(); ++i)
        if (rooms_[i].room.name == entry.room.name) index = i;
    if (index == rooms_.size())
        rooms_.push_back(std::move(entry));
    else
        rooms_[index] = std::move(entry);
    if (select) select_room(index);
}

// --- audio -----------------------------------------------------------------------------

void App::restart_audio() {
    // A new player (the aligned master, a tone) keeps the transport where it was.
    const bool was_playing = playing(), was_b = ab_is_b();
    const std::size_t position = audio_ && audio_->player() ? audio_->player()->position() : 0;
    audio_.reset();
    std::unique_ptr<engine::FilePlayer> player;
    const std::size_t channels = 2;
    const auto fade = static_cast<std::size_t>(0.02 * rate_);
    if (tone_on_) {
        // A safe test tone: 1 kHz at -20 dBFS, faded in and out over 50 ms, 5 s long.
        const auto n = static_cast<std::size_t>(5.0 * rate_), ramp = static_cast<std::size_t>(0.05 * rate_);
        AudioBuffer<float> tone(channels, n);
        for (std::size_t i = 0; i < n; ++i) {
            const double env = std::min({1.0, static_cast<double>(i) / ramp, static_cast<double>(n - 1 - i) / ramp});
            const auto v = static_cast<float>(0.1 * env * std::sin(2.0 * M_PI * 1000.0 * i / rate_));
            for (std::size_t c = 0; c < channels; ++c) tone(c, i) = v;
        }
        player = std::make_unique<engine::FilePlayer>(std::move(tone), AudioBuffer<float>(), channels, fade);
    } else if (mix_pair_ && mix_pair_->rate == rate_) {
        AudioBuffer<float> b =
            comparison_ ? aligned_master(mix_pair_->mix, mix_pair_->master, *comparison_) : mix_pair_->master;
        player = std::make_unique<engine::FilePlayer>(mix_pair_->mix, std::move(b), channels, fade);
    }
    AudioSetup setup;
    setup.simulated = !options_.simulate.empty();
    setup.device = device_;
    setup.sample_rate = rate_;
    setup.frames_per_buffer = buffer_;
    setup.channels = channels;
    try {
        audio_ = std::make_unique<AudioDriver>(setup, std::move(player));
        if (auto* p = audio_->player()) {
            if (tone_on_) {
                p->play();
            } else {
                p->seek(position);
                p->select_b(was_b);
                if (was_playing) p->play();
            }
        }
        apply_correction();
        apply_chain();
        audio_->engine().set_correction_enabled(correction_on_);
        audio_->engine().set_chain_enabled(!chain_bypassed_);
    } catch (const std::exception& e) {
        audio_.reset();
        error_ = std::string("audio: ") + e.what();
    }
}

void App::apply_correction() {
    if (!audio_) return;
    auto& eng = audio_->engine();
    const Hz rate = eng.config().sample_rate;
    try {
        std::optional<FilterSet> set;
        if (selected_room_ && *selected_room_ < rooms_.size())
            if (const FilterSet* s = rooms_[*selected_room_].room.correction_for(rate)) set = *s;
        if (audition_room_ && *audition_room_ < rooms_.size()) {
            correct::AuditionOptions ao;
            ao.sample_rate = rate;
            const FilterSet heard = correct::audition_filter(rooms_[*audition_room_].room, ao);
            set = set ? correct::cascade(*set, heard) : heard;
        }
        if (!set) {
            eng.set_correction(nullptr);
            return;
        }
        eng.set_correction(
            std::make_unique<engine::Correction>(*set, rate, eng.config().max_block, eng.config().channels));
    } catch (const std::exception& e) {
        // A room without a correction at this rate plays uncorrected, and says so.
        eng.set_correction(nullptr);
        error_ = e.what();
    }
}

void App::apply_chain() {
    if (!audio_) return;
    auto& eng = audio_->engine();
    try {
        chain_.validate();
        eng.set_chain(std::make_unique<engine::Chain>(chain_, eng.config().sample_rate, eng.config().max_block,
                                                      eng.config().channels.size()));
    } catch (const std::exception& e) {
        error_ = e.what();
    }
}

void App::set_correction_enabled(bool on) {
    correction_on_ = on;
    if (audio_) audio_->engine().set_correction_enabled(on);
    status_ = on ? "correction on" : "correction bypassed";
}

void App::set_chain_bypassed(bool bypassed) {
    chain_bypassed_ = bypassed;
    if (audio_) audio_->engine().set_chain_enabled(!bypassed);
    status_ = bypassed ? "mastering chain bypassed (level-matched)" : "mastering chain on";
}

void App::toggle_ab() {
    if (!audio_ || !audio_->player()) {
        status_ = "nothing to switch: load a mix and its master on the Compare page";
        return;
    }
    auto* p = audio_->player();
    p->select_b(!p->b_selected());
    status_ = p->b_selected() ? "B: master (aligned, level-matched)" : "A: mix";
}

bool App::ab_is_b() const { return audio_ && audio_->player() && audio_->player()->b_selected(); }

void App::play_pause() {
    if (!audio_ || !audio_->player()) {
        status_ = "nothing to play: load a mix on the Compare page";
        return;
    }
    auto* p = audio_->player();
    if (p->playing()) {
        p->pause();
    } else {
        if (p->position() >= p->frames()) p->seek(0);
        p->play();
    }
}

bool App::playing() const { return audio_ && audio_->player() && audio_->player()->playing(); }

void App::select_room(std::size_t index) {
    if (index >= rooms_.size()) return;
    selected_room_ = index;
    apply_correction();
    status_ = "room " + rooms_[index].room.name;
}

void App::set_audition_room(std::optional<std::size_t> index) {
    audition_room_ = index && *index < rooms_.size() ? index : std::nullopt;
    apply_correction();
}

engine::MeterReadings App::meter_readings() const { return audio_ ? audio_->readings() : engine::MeterReadings{}; }
std::size_t App::audio_late_blocks() const { return audio_ ? audio_->status().late : 0; }
std::size_t App::audio_xruns() const { return audio_ ? audio_->status().xruns : 0; }
std::size_t App::audio_callbacks() const { return audio_ ? audio_->status().callbacks : 0; }

// --- jobs ------------------------------------------------------------------------------

void App::set_measure_inputs(int mic_input, std::optional<std::pair<int, int>> loopback_out_in) {
    mic_input_ = mic_input;
    use_loopback_ = loopback_out_in.has_value();
    if (loopback_out_in) loopback_out_ = loopback_out_in->first, loopback_in_ = loopback_out_in->second;
}

std::function<std::unique_ptr<measure::Recorder>()> App::recorder_factory() {
    if (!options_.simulate.empty()) {
        const std::string name = options_.simulate;
        return [name]() -> std::unique_ptr<measure::Recorder> {
            return std::make_unique<measure::VirtualRecorder>(measure::find_builtin_room(name), Hz(48000.0), true);
        };
    }
    app::DeviceRecorderConfig c;
    c.output_device = c.input_device = device_;
    for (std::size_t i = 0; i < measure_channels_.size(); ++i) c.outputs[measure_channels_[i]] = static_cast<int>(i);
    c.mic_input = mic_input_ - 1;
    if (use_loopback_) c.loopback_output = loopback_out_ - 1, c.loopback_input = loopback_in_ - 1;
    c.sample_rate = rate_;
    c.frames_per_buffer = std::max(buffer_, 1024u);  // a sweep needs no low latency, only no dropouts
    // The live stream holds the device; it comes back when the measuring ends.
    if (audio_) {
        audio_.reset();
        audio_paused_for_measuring_ = true;
    }
    return [c]() { return app::make_device_recorder(c); };
}

void App::start_level_check() {
    std::vector<std::string> chosen;
    for (std::size_t i = 0; i < measure_channels_.size(); ++i)
        if (measure_use_[i]) chosen.push_back(measure_channels_[i]);
    auto peak = input_peak_;
    auto make = recorder_factory();
    level_job_ = std::make_unique<Job<std::vector<std::pair<std::string, measure::LevelCheck>>>>();
    level_job_->start([make, chosen, peak](Progress& progress) {
        const auto recorder = make();
        measure::SessionOptions so;
        so.sweep.sample_rate = recorder->sample_rate();
        so.loopback = recorder->has_loopback();
        measure::MeasurementSession session(*recorder, so);
        std::vector<std::pair<std::string, measure::LevelCheck>> out;
        for (std::size_t i = 0; i < chosen.size(); ++i) {
            progress.report(static_cast<double>(i) / static_cast<double>(chosen.size()),
                            "level check, channel " + chosen[i]);
            const auto report = [&](const std::string&, const measure::RecorderProgress& rp) {
                peak->store(rp.input_peak_dbfs, std::memory_order_relaxed);
                progress.report((static_cast<double>(i) + rp.fraction) / static_cast<double>(chosen.size()),
                                "level check, channel " + chosen[i]);
            };
            out.emplace_back(chosen[i], session.check_level(chosen[i], report));
        }
        return out;
    });
    measure_step_ = MeasureStep::level;
}

void App::start_measurement() {
    MeasureRequest req;
    req.room_name = measure_room_name_;
    req.positions = measure_positions_;
    for (std::size_t i = 0; i < measure_channels_.size(); ++i)
        if (measure_use_[i]) req.channels.push_back(measure_channels_[i]);
    if (req.channels.empty()) {
        error_ = "choose at least one channel to measure";
        return;
    }
    const fs::path dir = rooms_dir().empty() ? fs::path() : rooms_dir() / req.room_name;
    auto peak = input_peak_;
    auto make = recorder_factory();
    measure_job_ = std::make_unique<Job<MeasureOutcome>>();
    measure_job_->start([make, req, dir, peak](Progress& progress) {
        const auto recorder = make();
        auto measured = measure_room(*recorder, req, progress, peak.get());
        progress.check();
        if (!dir.empty()) save_room_atomically(measured.room, dir);
        return MeasureOutcome{std::move(measured.room), dir, std::move(measured.takes)};
    });
    measure_step_ = MeasureStep::running;
    error_.clear();
}

void App::start_fit() {
    if (rooms_.empty()) {
        error_ = "no room measured yet: measure one on the Measure page first";
        return;
    }
    if (fit_room_ >= rooms_.size()) fit_room_ = 0;
    FitSettings s;
    s.tilt_db_per_octave = target_tilt_;
    s.bass_shelf_db = target_bass_db_;
    s.bass_shelf_hz = target_bass_hz_;
    s.target_file = target_file_;
    s.max_boost_db = max_boost_db_;
    s.range_low_hz = range_lo_;
    s.range_high_hz = range_hi_;
    s.max_filters = max_filters_;
    s.mode = fit_mode_;
    Room room = rooms_[fit_room_].room;
    const fs::path dir = rooms_[fit_room_].dir;
    fit_job_ = std::make_unique<Job<correct::FitResult>>();
    fit_job_->start([s, room = std::move(room), dir](Progress& progress) mutable {
        progress.report(0.05, "fitting " + room.name);
        const auto options = fit_options(s);
        auto fit = correct::fit_room(room, options);
        progress.check();  // closed mid-fit: nothing is written
        room.corrections = fit.sets;
        progress.report(0.95, "saving " + room.name);
        if (!dir.empty()) save_room_atomically(room, dir);
        return fit;
    });
    filters_edited_ = false;
    error_.clear();
}

void App::start_compare(const std::string& mix, const std::string& master) {
    mix_path_ = mix;
    master_path_ = master;
    if (!mix.empty() || !master.empty()) {
        if (mix.empty() || master.empty()) {
            error_ = "choose both files: the mix and its master";
            return;
        }
        load_job_ = std::make_unique<Job<std::shared_ptr<MixPair>>>();
        load_job_->start([mix, master](Progress& progress) {
            progress.report(0.1, "reading " + mix);
            auto a = io::read_audio(mix);
            progress.report(0.5, "reading " + master);
            auto b = io::read_audio(master);
            progress.check();
            auto p = std::make_shared<MixPair>();
            p->rate = a.info.sample_rate.value;
            p->mix = std::move(a.audio);
            // Played against each other, both must share the mix's rate and channels.
            if (b.info.sample_rate.value != p->rate)
                p->master = compare::resample(b.audio.view(), b.info.sample_rate, a.info.sample_rate);
            else
                p->master = std::move(b.audio);
            return p;
        });
        return;
    }
    if (!mix_pair_) {
        error_ = "choose a mix and its master to compare";
        return;
    }
    compare_loaded_pair();
}

void App::compare_loaded_pair() {
    auto pair = mix_pair_;
    compare_job_ = std::make_unique<Job<compare::Comparison>>();
    compare_job_->start([pair](Progress& progress) {
        progress.report(0.1, "aligning and measuring");
        return compare::compare_pair(pair->mix.view(), Hz(pair->rate), pair->master.view(), Hz(pair->rate));
    });
}

void App::start_translation() {
    if (!mix_pair_) {
        error_ = "load a mix on the Compare page first";
        return;
    }
    std::vector<Room> rooms;
    for (const auto& r : rooms_) rooms.push_back(r.room);
    if (rooms.empty()) {
        error_ = "no rooms measured yet";
        return;
    }
    auto pair = mix_pair_;
    translate_job_ = std::make_unique<Job<compare::Translation>>();
    translate_job_->start([pair, rooms = std::move(rooms)](Progress& progress) {
        progress.report(0.1, "translating the mix across " + std::to_string(rooms.size()) + " rooms");
        return compare::translate(pair->mix.view(), Hz(pair->rate), rooms);
    });
}

// With --simulate the pages start with real data: the virtual room measured through the
// wizard's own job, then fitted; the demo mix compared with its master; the other
// built-in rooms measured at the listening position for the Rooms page.
void App::prepare_simulation() {
    bool have = false;
    for (const auto& r : rooms_) have |= r.room.name == options_.simulate;
    prepare_pending_ = true;
    if (!have) {
        start_measurement();
    } else {
        for (std::size_t i = 0; i < rooms_.size(); ++i)
            if (rooms_[i].room.name == options_.simulate) select_room(i), fit_room_ = i;
        start_fit();
    }
    std::vector<std::string> missing;
    for (const auto& vr : measure::builtin_rooms()) {
        bool known = false;
        for (const auto& r : rooms_) known |= r.room.name == vr.name;
        if (!known && vr.name != options_.simulate) missing.push_back(vr.name);
    }
    if (missing.empty()) return;
    const fs::path dir = rooms_dir();
    others_job_ = std::make_unique<Job<std::vector<OtherRoom>>>();
    others_job_->start([missing, dir](Progress& progress) {
        std::vector<OtherRoom> out;
        for (std::size_t i = 0; i < missing.size(); ++i) {
            const auto& spec = measure::find_builtin_room(missing[i]);
            measure::VirtualRecorder recorder(spec, Hz(48000.0), true);
            MeasureRequest req;
            req.room_name = spec.name;
            for (const auto& sp : spec.speakers) req.channels.push_back(sp.channel);
            Progress inner;
            auto measured = measure_room(recorder, req, inner);
            progress.report((i + 0.5) / missing.size(), "fitting " + spec.name);
            auto fit = correct::fit_room(measured.room, fit_options(FitSettings{}));
            measured.room.corrections = fit.sets;
            progress.check();
            const fs::path room_dir = dir.empty() ? fs::path() : dir / spec.name;
            if (!room_dir.empty()) save_room_atomically(measured.room, room_dir);
            out.push_back({std::move(measured.room), room_dir});
        }
        return out;
    });
}

void App::poll_jobs() {
    const bool measuring = (level_job_ && level_job_->running()) || (measure_job_ && measure_job_->running());
    if (audio_paused_for_measuring_ && !measuring) {
        audio_paused_for_measuring_ = false;
        if (options_.audio) restart_audio();
    }
    if (level_job_ && level_job_->finished()) {
        if (auto& r = level_job_->result()) {
            level_checks_ = std::move(*r);
        } else {
            error_ = "level check: " + level_job_->error();
            measure_step_ = MeasureStep::setup;
        }
    }
    if (measure_job_ && measure_job_->finished()) {
        if (auto& r = measure_job_->result()) {
            takes_ = std::move(r->takes);
            add_room(std::move(r->room), r->dir, true);
            fit_room_ = *selected_room_;
            measure_step_ = MeasureStep::results;
            status_ = "measured " + rooms_[fit_room_].room.name + ": " + std::to_string(takes_.size()) + " takes";
            if (prepare_pending_) start_fit();
        } else {
            error_ = measure_job_->cancelled() ? "measurement cancelled; nothing saved"
                                               : "measurement: " + measure_job_->error();
            measure_step_ = MeasureStep::setup;
            prepare_pending_ = false;
        }
    }
    if (fit_job_ && fit_job_->finished()) {
        if (auto& r = fit_job_->result()) {
            fit_ = std::move(*r);
            original_parametric_.clear();
            smoothed_prediction_.clear();
            if (fit_room_ < rooms_.size()) {
                rooms_[fit_room_].room.corrections = fit_->sets;
                if (selected_room_ == fit_room_) apply_correction();
            }
            status_ = "fitted in " + std::to_string(static_cast<int>(fit_->seconds * 1000.0)) + " ms";
            if (prepare_pending_) start_compare("", "");
        } else {
            error_ = fit_job_->cancelled() ? "fit cancelled; the room is unchanged" : "fit: " + fit_job_->error();
            prepare_pending_ = false;
        }
    }
    if (load_job_ && load_job_->finished()) {
        if (auto& r = load_job_->result()) {
            mix_pair_ = std::move(*r);
            comparison_.reset();
            compare_loaded_pair();
        } else {
            error_ = "compare: " + load_job_->error();
        }
    }
    if (compare_job_ && compare_job_->finished()) {
        if (auto& r = compare_job_->result()) {
            comparison_ = std::move(*r);
            pair_history_.push_back(*comparison_);
            if (pair_history_.size() >= 2) {
                try {
                    pairs_summary_ = compare::summarise_pairs(pair_history_);
                } catch (const std::exception& e) {
                    error_ = std::string("pairs: ") + e.what();
                }
            }
            status_ = "compared: master " + db_text(comparison_->gain_match_db) + " LU against the mix, offset " +
                      std::to_string(comparison_->alignment.offset_samples) + " samples";
            if (mix_pair_ && mix_pair_->rate != rate_) {
                rate_ = mix_pair_->rate;
            }
            if (options_.audio) restart_audio();  // the player now has the aligned, matched master
            if (prepare_pending_ && !(others_job_ && others_job_->running())) start_translation();
        } else {
            error_ = "compare: " + compare_job_->error();
            prepare_pending_ = false;
        }
    }
    if (others_job_ && others_job_->finished()) {
        if (auto& r = others_job_->result()) {
            for (auto& o : *r) add_room(std::move(o.room), o.dir, false);
            // The translation covers every room; a comparison still running starts it itself.
            if (mix_pair_ && !(compare_job_ && compare_job_->running()) && !(fit_job_ && fit_job_->running()) &&
                !(measure_job_ && measure_job_->running()))
                start_translation();
        } else if (!others_job_->cancelled()) {
            error_ = "virtual rooms: " + others_job_->error();
        }
    }
    if (translate_job_ && translate_job_->finished()) {
        if (auto& r = translate_job_->result()) {
            translation_ = std::move(*r);
        } else {
            error_ = "translate: " + translate_job_->error();
        }
        prepare_pending_ = false;
    }
}

// --- frame -------------------------------------------------------------------------------

std::optional<ControlRect> App::control_rect(const std::string& label) const {
    if (auto it = controls_.find(label); it != controls_.end()) return it->second;
    return std::nullopt;
}

void App::remember_control(const std::string& label) {
    controls_[label] = ControlRect{ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
}

bool App::button(const char* label, bool enabled) {
    if (!enabled) ImGui::BeginDisabled();
    const bool pressed = ImGui::Button(label);
    if (!enabled) ImGui::EndDisabled();
    remember_control(label);
    return pressed && enabled;
}

// Keys by their code in io.KeysDown, which the GLFW backend fills with GLFW key codes:
// letters and digits are their upper-case ASCII codes there (GLFW_KEY_A == 'A').
void App::handle_keys() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    if (io.KeyCtrl && ImGui::IsKeyPressed('S', false)) {
        status_ = save_state() ? "saved" : "could not save the monitor's state";
        return;
    }
    if (io.KeyCtrl || io.KeyAlt || io.KeySuper) return;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) play_pause();
    if (ImGui::IsKeyPressed('B', false)) set_correction_enabled(!correction_on_);
    if (ImGui::IsKeyPressed('A', false)) toggle_ab();
    for (int k = 0; k < 9; ++k)
        if (ImGui::IsKeyPressed('1' + k, false) && static_cast<std::size_t>(k) < rooms_.size())
            select_room(static_cast<std::size_t>(k));
}

void App::frame() {
    poll_jobs();
    if (audio_) audio_->engine().collect();
    handle_keys();

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("roomcal", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    const float status_height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
    if (ImGui::BeginTabBar("pages")) {
        static_assert(std::size(all_pages) == 6);
        for (Page p : all_pages) {
            const ImGuiTabItemFlags flags = p == page_ && page_requested_ ? ImGuiTabItemFlags_SetSelected : 0;
            const bool open = ImGui::BeginTabItem(page_title(p), nullptr, flags);
            remember_control(std::string("tab:") + page_name(p));
            if (!open) continue;
            if (!page_requested_) page_ = p;
            ImGui::BeginChild("page", ImVec2(0, -status_height));
            switch (p) {
                case Page::audio:
                    draw_audio_page();
                    break;
                case Page::measure:
                    draw_measure_page();
                    break;
                case Page::correct:
                    draw_correct_page();
                    break;
                case Page::monitor:
                    draw_monitor_page();
                    break;
                case Page::compare:
                    draw_compare_page();
                    break;
                case Page::rooms:
                    draw_rooms_page();
                    break;
            }
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        page_requested_ = false;
        ImGui::EndTabBar();
    }
    draw_status_bar();
    ImGui::End();
}

void App::draw_status_bar() {
    ImGui::Separator();
    if (audio_) {
        const auto st = audio_->status();
        ImGui::TextColored(st.error.empty() ? ImVec4(0.5f, 0.9f, 0.5f, 1.0f) : ImVec4(1.0f, 0.4f, 0.3f, 1.0f), "%s",
                           st.error.empty() ? "audio running" : "audio lost");
        ImGui::SameLine();
        ImGui::Text("| %.0f Hz, %u frames | load %.1f %% | xruns %zu, late %zu | correction %s | chain %s",
                    st.sample_rate, st.frames_per_buffer, st.load * 100.0, st.xruns, st.late,
                    correction_on_ ? "on" : "bypassed", chain_bypassed_ ? "bypassed" : "on");
    } else {
        ImGui::TextDisabled("audio off");
    }
    ImGui::SameLine();
    const auto job_line = [&](const auto& job, const char* what) {
        if (!job || !job->running()) return false;
        ImGui::Text("| %s: %s", what, job->stage().c_str());
        ImGui::SameLine();
        ImGui::ProgressBar(static_cast<float>(job->fraction()), ImVec2(160, 0));
        return true;
    };
    if (!job_line(measure_job_, "measuring") && !job_line(fit_job_, "fitting") &&
        !job_line(compare_job_, "comparing") && !job_line(translate_job_, "translating") &&
        !job_line(load_job_, "loading")) {
        if (!error_.empty())
            ImGui::TextColored(ImVec4(1.0f, 0.55f, 0.3f, 1.0f), "| %s", error_.c_str());
        else
            ImGui::TextDisabled("| %s", status_.c_str());
    }
}

// --- persisted state -------------------------------------------------------------------

void App::load_state() {
    if (options_.config_dir.empty()) return;
    std::ifstream in(options_.config_dir / "monitor.json");
    if (!in) return;
    try {
        const json j = json::parse(in);
        if (j.contains("page")) page_ = parse_page(j.at("page").get<std::string>());
        device_ = j.value("device", device_);
        buffer_ = j.value("frames_per_buffer", buffer_);
        if (j.contains("chain")) chain_ = io::parse_chain(j.at("chain").dump(), "monitor.json");
        correction_on_ = j.value("correction", correction_on_);
        target_tilt_ = j.value("target_tilt", target_tilt_);
        target_bass_db_ = j.value("target_bass_db", target_bass_db_);
        max_boost_db_ = j.value("max_boost_db", max_boost_db_);
        max_filters_ = j.value("max_filters", max_filters_);
        last_room_ = j.value("room", std::string());
    } catch (const std::exception& e) {
        // A damaged state file costs the user their layout, never the start.
        error_ = std::string("ignored monitor.json: ") + e.what();
    }
}

bool App::save_state() {
    if (options_.config_dir.empty()) return false;
    try {
        json j;
        j["page"] = page_name(page_);
        j["device"] = device_;
        j["frames_per_buffer"] = buffer_;
        j["chain"] = json::parse(io::chain_json(chain_));
        j["correction"] = correction_on_;
        j["target_tilt"] = target_tilt_;
        j["target_bass_db"] = target_bass_db_;
        j["max_boost_db"] = max_boost_db_;
        j["max_filters"] = max_filters_;
        if (selected_room_ && *selected_room_ < rooms_.size()) j["room"] = rooms_[*selected_room_].room.name;
        fs::create_directories(options_.config_dir);
        write_text_file_atomically(options_.config_dir / "monitor.json", j.dump(2) + "\n");
        if (ImGui::GetCurrentContext()) {
            std::size_t size = 0;
            const char* ini = ImGui::SaveIniSettingsToMemory(&size);
            write_text_file_atomically(options_.config_dir / "imgui.ini", std::string(ini, size));
        }
        return true;
    } catch (const std::exception& e) {
        error_ = std::string("could not save the monitor's state: ") + e.what();
        return false;
    }
}

}  // namespace roomcal::ui
