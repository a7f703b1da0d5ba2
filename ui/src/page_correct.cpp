// The Correct page: the target (tilt, bass shelf, a house-curve file) drawn on the plot,
// limits and mode, Fit on a worker, the prediction overlaid; the parametric filters
// editable with the curve following live, applied to the engine and the room on demand;
// exports (CamillaDSP, Equalizer APO, REW).
#include <algorithm>
#include <cmath>
#include <complex>
#include <map>

#include "job.hpp"
#include "room_work.hpp"
#include "roomcal/core/atomic_file.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/io/filter_text.hpp"
#include "roomcal/io/filter_wav.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {
namespace fs = std::filesystem;
namespace {

// |H| in dB of `filters` designed at 48 kHz, on `grid`.
std::vector<double> filters_db(const std::vector<ParametricFilter>& filters, const std::vector<double>& grid) {
    ChannelFilter cf;
    for (const auto& p : filters) cf.biquads.push_back(dsp::design_biquad(p, Hz(48000.0)));
    std::vector<double> out(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i)
        out[i] = 20.0 * std::log10(std::max(std::abs(cf.response(Hz(grid[i]), Hz(48000.0))), 1e-9));
    return out;
}

const char* type_names[] = {"bell", "low shelf", "high shelf", "low-pass", "high-pass"};

}  // namespace

void App::draw_correct_page() {
    const bool fitting = fit_job_ && fit_job_->running();
    ImGui::BeginChild("settings", ImVec2(330, 0), true);
    if (rooms_.empty()) {
        ImGui::TextWrapped("No room measured yet: measure one on the Measure page.");
    } else {
        fit_room_ = std::min(fit_room_, rooms_.size() - 1);
        if (ImGui::BeginCombo("room", rooms_[fit_room_].room.name.c_str())) {
            for (std::size_t i = 0; i < rooms_.size(); ++i)
                if (ImGui::Selectable(rooms_[i].room.name.c_str(), i == fit_room_)) fit_room_ = i;
            ImGui::EndCombo();
        }
    }
    section("Target");
    ImGui::SliderFloat("tilt", &target_tilt_, -1.5f, 0.5f, "%.2f dB/oct");
    ImGui::SliderFloat("bass shelf", &target_bass_db_, 0.0f, 10.0f, "%+.1f dB");
    ImGui::SliderFloat("shelf corner", &target_bass_hz_, 40.0f, 300.0f, "%.0f Hz", ImGuiSliderFlags_Logarithmic);
    char file[512];
    std::snprintf(file, sizeof file, "%s", target_file_.c_str());
    if (ImGui::InputTextWithHint("curve file", "REW house curve (optional)", file, sizeof file)) target_file_ = file;
    section("Limits");
    ImGui::SliderFloat("max boost", &max_boost_db_, 0.0f, 12.0f, "%.1f dB");
    ImGui::SliderInt("filters", &max_filters_, 1, 20);
    ImGui::SliderFloat("from", &range_lo_, 15.0f, 200.0f, "%.0f Hz", ImGuiSliderFlags_Logarithmic);
    ImGui::SliderFloat("to", &range_hi_, 200.0f, 20000.0f, "%.0f Hz", ImGuiSliderFlags_Logarithmic);
    section("Mode");
    int mode = static_cast<int>(fit_mode_);
    ImGui::RadioButton("parametric", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("FIR", &mode, 1);
    ImGui::SameLine();
    ImGui::RadioButton("mixed", &mode, 2);
    fit_mode_ = static_cast<FitModeChoice>(mode);
    ImGui::Spacing();
    if (fitting) {
        ImGui::ProgressBar(static_cast<float>(fit_job_->fraction()), ImVec2(-1, 0), fit_job_->stage().c_str());
    } else if (button("Fit", !rooms_.empty())) {
        start_fit();
    }
    if (fit_) {
        ImGui::Spacing();
        ImGui::Text("preamp %s dB, latency %.1f ms", db_text(fit_->preamp_db).c_str(), fit_->latency_ms);
        for (const auto& w : fit_->warnings) ImGui::TextWrapped("! %s", w.c_str());
        section("Export");
        if (button("CamillaDSP", !fit_->sets.empty())) export_correction("camilladsp");
        ImGui::SameLine();
        if (button("Equalizer APO", !fit_->sets.empty())) export_correction("apo");
        ImGui::SameLine();
        if (button("REW filters", !fit_->sets.empty())) export_correction("rew");
    }
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("prediction");
    if (!fit_ || fit_->channels.empty()) {
        // Before a fit: the measured average and the target being edited.
        if (!rooms_.empty() && !rooms_[fit_room_].channels.empty()) {
            const auto& v = rooms_[fit_room_].channels.front();
            correct::TargetCurve t;
            t.tilt_db_per_octave = target_tilt_;
            t.bass_shelf_db = target_bass_db_;
            t.bass_shelf_corner = Hz(target_bass_hz_);
            auto target = t.level_db(v.average.frequency_hz);
            const double level = v.average.magnitude_db_at(Hz(1000.0)) - t.level_db(Hz(1000.0));
            for (auto& d : target) d += level;
            Curve tc = curve_of("target", v.average.frequency_hz, target, colour_target, 2.0f);
            tc.dashed = true;
            PlotSpec spec;
            spec.home = {20.0, 20000.0, -30.0, 15.0};
            spec.height = ImGui::GetContentRegionAvail().y - 4.0f;
            plot("##target", plots_["correct.target"], spec,
                 {response_curve("measured (" + v.channel + ")", v.average, colour_measured, 2.0f), tc});
        } else {
            ImGui::TextDisabled("Measure a room, then Fit: the prediction appears here.");
        }
        return ImGui::EndChild();
    }
    fit_channel_ = std::clamp(fit_channel_, 0, static_cast<int>(fit_->channels.size()) - 1);
    for (std::size_t i = 0; i < fit_->channels.size(); ++i) {
        if (i) ImGui::SameLine();
        if (ImGui::RadioButton(("channel " + fit_->channels[i].channel).c_str(), fit_channel_ == static_cast<int>(i)))
            fit_channel_ = static_cast<int>(i);
    }
    auto& ch = fit_->channels[static_cast<std::size_t>(fit_channel_)];
    const auto& pred = ch.prediction;
    const auto& grid = pred.average_before.frequency_hz;
    // Drawn at 1/6 octave, as the Measure page's default: the fit works on finer detail,
    // but a person reads the trend.
    auto& smoothed = smoothed_prediction_[ch.channel];
    if (smoothed.first.size() != grid.size()) {
        const measure::Smoothing sixth{measure::SmoothingKind::fractional_octave, 6};
        smoothed = {measure::smooth(pred.average_before, sixth), measure::smooth(pred.average_after, sixth)};
    }
    // The parametric part as fitted and as edited: the difference moves the prediction live.
    auto& original = original_parametric_[ch.channel];
    if (original.size() != ch.parametric.size() && !filters_edited_) original = ch.parametric;
    std::vector<double> after = smoothed.second.magnitude_db, correction = pred.correction_db;
    if (filters_edited_) {
        const auto was = filters_db(original, grid), now = filters_db(ch.parametric, grid);
        for (std::size_t i = 0; i < grid.size() && i < after.size(); ++i) {
            after[i] += now[i] - was[i];
            if (i < correction.size()) correction[i] += now[i] - was[i];
        }
    }
    Curve target = curve_of("target", grid, pred.target_db, colour_target, 2.0f);
    target.dashed = true;
    std::vector<double> corr_shown = correction;
    for (auto& v : corr_shown) v -= 20.0;  // drawn below the responses, on the same dB scale
    PlotSpec spec;
    spec.home = {20.0, 20000.0, -40.0, 15.0};
    spec.height = std::max(200.0f, ImGui::GetContentRegionAvail().y - 230.0f);
    plot("##prediction", plots_["correct.prediction"], spec,
         {response_curve("measured (1/6 oct)", smoothed.first, colour_measured, 1.5f), target,
          curve_of("predicted (1/6 oct)", grid, after, colour_predicted, 2.5f),
          curve_of("correction (−20 dB)", grid, corr_shown, colour_correction, 1.5f)});
    ImGui::Text("deviation from target (1/3 oct SD): %.2f dB → %.2f dB", pred.sd_before_db, pred.sd_after_db);
    if (ch.parametric.empty()) {
        ImGui::TextDisabled("No parametric filters in this fit (FIR only): choose parametric or mixed to edit them.");
        return ImGui::EndChild();
    }
    if (ImGui::BeginTable("filters", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV,
                          ImVec2(0, ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing()))) {
        ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 24);
        ImGui::TableSetupColumn("type");
        ImGui::TableSetupColumn("frequency");
        ImGui::TableSetupColumn("Q");
        ImGui::TableSetupColumn("gain");
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < ch.parametric.size(); ++i) {
            auto& p = ch.parametric[i];
            ImGui::PushID(static_cast<int>(i));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%zu", i + 1);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(type_names[static_cast<int>(p.type)]);
            ImGui::TableNextColumn();
            float f = static_cast<float>(p.frequency_hz), q = static_cast<float>(p.q),
                  g = static_cast<float>(p.gain_db);
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##f", &f, f * 0.005f, 15.0f, 20000.0f, "%.1f Hz"))
                p.frequency_hz = f, filters_edited_ = true;
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##q", &q, 0.01f, 0.1f, 20.0f, "%.2f")) p.q = q, filters_edited_ = true;
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##g", &g, 0.05f, -24.0f, static_cast<float>(max_boost_db_), "%+.1f dB"))
                p.gain_db = g, filters_edited_ = true;
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (button("Apply edited filters", filters_edited_ && !fitting)) apply_edited_filters();
    ImGui::EndChild();
}

// The edited parametric filters replace the fitted ones at every rate; the engine runs
// them at once, and the room profile is rewritten (whole) on a worker.
void App::apply_edited_filters() {
    if (!fit_ || fit_room_ >= rooms_.size()) return;
    for (auto& set : fit_->sets)
        for (auto& cf : set.channels)
            for (const auto& ch : fit_->channels)
                if (ch.channel == cf.channel) {
                    cf.parametric = ch.parametric;
                    cf.biquads.clear();
                    for (const auto& p : ch.parametric) cf.biquads.push_back(dsp::design_biquad(p, set.sample_rate));
                }
    rooms_[fit_room_].room.corrections = fit_->sets;
    if (selected_room_ == fit_room_) apply_correction();
    for (const auto& ch : fit_->channels) original_parametric_[ch.channel] = ch.parametric;
    filters_edited_ = false;
    Room room = rooms_[fit_room_].room;
    const fs::path dir = rooms_[fit_room_].dir;
    auto fit = *fit_;
    fit_job_ = std::make_unique<Job<correct::FitResult>>();
    fit_job_->start([room = std::move(room), dir, fit = std::move(fit)](Progress& progress) mutable {
        progress.report(0.5, "saving " + room.name);
        if (!dir.empty()) save_room_atomically(room, dir);
        return fit;
    });
    status_ = "edited filters applied";
}

void App::export_correction(const std::string& format) {
    if (!fit_ || fit_->sets.empty() || fit_room_ >= rooms_.size()) return;
    const fs::path dir = rooms_[fit_room_].dir.empty() ? fs::path(".") : rooms_[fit_room_].dir / "exports";
    try {
        fs::create_directories(dir);
        const FilterSet* set = &fit_->sets.front();
        for (const auto& s : fit_->sets)
            if (s.sample_rate.value == 48000.0) set = &s;
        std::map<std::string, std::string> firs;
        for (const auto& cf : set->channels)
            if (!cf.fir.empty() && format != "rew") {
                const fs::path wav = dir / ("fir-" + cf.channel + "-48000.wav");
                io::write_channel_fir_wav(cf, set->sample_rate, wav);
                firs[cf.channel] = wav.string();
            }
        fs::path out;
        if (format == "camilladsp") {
            out = dir / "camilladsp.yml";
            write_text_file_atomically(out, io::camilladsp_yaml(*set, firs));
        } else if (format == "apo") {
            out = dir / "equalizer-apo.txt";
            write_text_file_atomically(out, io::equalizer_apo_text(*set, firs));
        } else {
            for (const auto& cf : set->channels) {
                out = dir / ("rew-filters-" + cf.channel + ".txt");
                write_text_file_atomically(out, io::rew_filter_text(*set, cf.channel));
            }
        }
        status_ = "exported " + out.string();
    } catch (const std::exception& e) {
        error_ = std::string("export: ") + e.what();
    }
}

}  // namespace roomcal::ui
