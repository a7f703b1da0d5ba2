// The Measure page: a wizard (channels and positions, level check, sweeps with progress,
// quality per take) and the results: frequency response with smoothing, impulse / ETC,
// decay (RT60 per band), distortion and waterfall, positions overlaid with their average
// and spread.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "job.hpp"
#include "roomcal/measure/averaging.hpp"
#include "roomcal/measure/decay.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/waterfall.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {
namespace {

const char* smoothing_names[] = {"none", "1/24 octave", "1/12 octave", "1/6 octave", "1/3 octave", "variable"};
measure::Smoothing smoothing_of(int i) {
    switch (i) {
        case 1:
            return {measure::SmoothingKind::fractional_octave, 24};
        case 2:
            return {measure::SmoothingKind::fractional_octave, 12};
        case 3:
            return {measure::SmoothingKind::fractional_octave, 6};
        case 4:
            return {measure::SmoothingKind::fractional_octave, 3};
        case 5:
            return {measure::SmoothingKind::variable, 6};
        default:
            return {measure::SmoothingKind::none, 6};
    }
}

// The level check's verdict for one channel, as a sound engineer would say it.
std::pair<ImVec4, std::string> level_verdict(const measure::LevelCheck& c) {
    if (c.predicted_peak_dbfs > -3.0)
        return {ImVec4(1.0f, 0.4f, 0.3f, 1.0f), "would clip: turn the mic preamp or the speaker down"};
    if (c.snr_db < 40.0) return {ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "too quiet: turn the speaker or preamp up"};
    return {ImVec4(0.5f, 0.9f, 0.5f, 1.0f), "good"};
}

}  // namespace

void App::draw_measure_page() {
    const bool running = measure_job_ && measure_job_->running();
    ImGui::BeginChild("wizard", ImVec2(330, 0), true);
    ImGui::TextDisabled("1  Channels and positions");
    if (options_.simulate.empty()) {
        ImGui::TextWrapped("Device: %s (Audio page); loudspeakers on outputs %s",
                           device_.empty() ? "default" : device_.c_str(),
                           measure_channels_.size() == 2 ? "1 (L) and 2 (R)" : "1, 2, ...");
        ImGui::SetNextItemWidth(90);
        ImGui::InputInt("mic input", &mic_input_);
        mic_input_ = std::clamp(mic_input_, 1, 64);
        ImGui::Checkbox("loopback wire", &use_loopback_);
        remember_control("loopback wire");
        if (use_loopback_) {
            ImGui::SetNextItemWidth(90);
            ImGui::InputInt("from output", &loopback_out_);
            ImGui::SetNextItemWidth(90);
            ImGui::InputInt("to input", &loopback_in_);
            loopback_out_ = std::clamp(loopback_out_, 1, 64);
            loopback_in_ = std::clamp(loopback_in_, 1, 64);
        }
    } else {
        ImGui::Text("Device: virtual room %s", options_.simulate.c_str());
    }
    for (std::size_t i = 0; i < measure_channels_.size(); ++i) {
        bool on = measure_use_[i] != 0;
        if (ImGui::Checkbox(("channel " + measure_channels_[i]).c_str(), &on)) measure_use_[i] = on;
        remember_control("channel " + measure_channels_[i]);
        if (i + 1 < measure_channels_.size()) ImGui::SameLine();
    }
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("mic positions", &measure_positions_, 1, 9);
    if (options_.simulate.empty()) {
        char name[128];
        std::snprintf(name, sizeof name, "%s", measure_room_name_.c_str());
        ImGui::SetNextItemWidth(160);
        if (ImGui::InputText("room name", name, sizeof name)) measure_room_name_ = name;
    }
    ImGui::Spacing();
    ImGui::TextDisabled("2  Level check");
    if (button("Check level", !running && !(level_job_ && level_job_->running()))) start_level_check();
    const bool listening = (level_job_ && level_job_->running()) || running;
    if (level_job_ && level_job_->running())
        ImGui::ProgressBar(static_cast<float>(level_job_->fraction()), ImVec2(-1, 0), level_job_->stage().c_str());
    if (listening) {
        // The mic's live level: red within 3 dB of clipping, as the level check warns.
        const double peak = input_peak_->load(std::memory_order_relaxed);
        level_bar("input", peak, peak, -80.0, 0.0, -3.0, 160.0f);
    }
    for (const auto& [ch, c] : level_checks_) {
        const auto [colour, verdict] = level_verdict(c);
        ImGui::Text("%s: peak at mic %s dBFS, SNR %.0f dB", ch.c_str(), db_text(c.predicted_peak_dbfs).c_str(),
                    c.snr_db);
        ImGui::TextColored(colour, "   %s", verdict.c_str());
    }
    ImGui::Spacing();
    ImGui::TextDisabled("3  Sweeps");
    if (!running) {
        if (button("Start measuring")) start_measurement();
    } else {
        ImGui::ProgressBar(static_cast<float>(measure_job_->fraction()), ImVec2(-1, 0));
        ImGui::TextWrapped("%s", measure_job_->stage().c_str());
        if (button("Cancel")) measure_job_->cancel();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("4  Quality of each take");
    if (takes_.empty()) ImGui::TextDisabled("(shown for takes measured in this session)");
    if (!takes_.empty() && ImGui::BeginTable("takes", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("take");
        ImGui::TableSetupColumn("noise");
        ImGui::TableSetupColumn("repeat");
        ImGui::TableSetupColumn("check");
        ImGui::TableHeadersRow();
        for (const auto& t : takes_) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::Text("%s @%d", t.channel.c_str(), t.position);
            ImGui::TableNextColumn();
            ImGui::Text("%s dB", db_text(t.take.analysis.noise_floor_db, 0).c_str());
            ImGui::TableNextColumn();
            if (t.take.repeatability_at_hz > 0.0)
                ImGui::Text("%.2f dB", t.take.repeatability_db);
            else
                ImGui::TextDisabled("1 sweep");
            ImGui::TableNextColumn();
            if (t.take.analysis.warnings.empty())
                ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.5f, 1.0f), "ok");
            else {
                ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "%zu warning(s)", t.take.analysis.warnings.size());
                if (ImGui::IsItemHovered()) {
                    ImGui::BeginTooltip();
                    for (const auto& w : t.take.analysis.warnings) ImGui::TextUnformatted(w.c_str());
                    ImGui::EndTooltip();
                }
            }
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("results");
    const RoomEntry* entry = nullptr;
    if (!rooms_.empty()) entry = &rooms_[std::min(fit_room_, rooms_.size() - 1)];
    if (!entry || entry->channels.empty()) {
        ImGui::TextDisabled("No measurement yet: choose channels and positions, check the level, then start.");
        ImGui::EndChild();
        return;
    }
    ImGui::Text("Room %s", entry->room.name.c_str());
    ImGui::SameLine();
    const char* views[] = {"Frequency response", "Impulse / ETC", "Decay (RT60)", "Distortion", "Waterfall"};
    for (int i = 0; i < 5; ++i) {
        ImGui::SameLine();
        if (ImGui::RadioButton(views[i], result_view_ == i)) result_view_ = i;
        remember_control(std::string("view:") + views[i]);
    }
    result_channel_ = std::clamp(result_channel_, 0, static_cast<int>(entry->channels.size()) - 1);
    ImGui::SetNextItemWidth(90);
    if (ImGui::BeginCombo("channel", entry->channels[static_cast<std::size_t>(result_channel_)].channel.c_str())) {
        for (std::size_t i = 0; i < entry->channels.size(); ++i)
            if (ImGui::Selectable(entry->channels[i].channel.c_str(), static_cast<int>(i) == result_channel_))
                result_channel_ = static_cast<int>(i);
        ImGui::EndCombo();
    }
    const auto& view = entry->channels[static_cast<std::size_t>(result_channel_)];
    const RoomChannel* room_channel = entry->room.find_channel(view.channel);

    if (result_view_ == 0) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(140);
        ImGui::Combo("smoothing", &smoothing_, smoothing_names, 6);
        const std::string key = entry->room.name + "/" + view.channel + "/" + std::to_string(smoothing_);
        auto& sv = smoothed_cache_[key];
        if (sv.positions.empty()) {
            const auto sm = smoothing_of(smoothing_);
            for (const auto& r : view.raw_positions)
                sv.positions.push_back(sm.kind == measure::SmoothingKind::none ? r : measure::smooth(r, sm));
            const auto summary = measure::summarise_positions(sv.positions);
            sv.average = summary.rms_average;
            sv.spread_db = summary.spread_db;
        }
        std::vector<Curve> curves;
        std::vector<Band> bands;
        Band spread;
        spread.label = "spread (±1 SD)";
        spread.colour = colour_spread;
        spread.x = sv.average.frequency_hz;
        for (std::size_t i = 0; i < sv.average.size(); ++i) {
            spread.lo.push_back(sv.average.magnitude_db[i] - sv.spread_db[i]);
            spread.hi.push_back(sv.average.magnitude_db[i] + sv.spread_db[i]);
        }
        bands.push_back(std::move(spread));
        for (std::size_t p = 0; p < sv.positions.size(); ++p)
            curves.push_back(response_curve(p == 0 ? "positions" : "", sv.positions[p],
                                            (series_colour(p + 1) & 0x00FFFFFFu) | 0x90000000u, 1.0f));
        curves.push_back(response_curve("average", sv.average, colour_measured, 2.5f));
        PlotSpec spec;
        spec.home = {20.0, 20000.0, -30.0, 15.0};
        spec.height = ImGui::GetContentRegionAvail().y - 4.0f;
        plot("##response", plots_["measure.response"], spec, curves, bands);
        return ImGui::EndChild();
    }
    const Measurement* m = nullptr;
    if (room_channel && !room_channel->measurements.empty()) m = &room_channel->measurements.front();
    if (!m || !m->has_impulse_response()) {
        ImGui::TextDisabled("This view needs an impulse response (imported responses have none).");
        return ImGui::EndChild();
    }
    const MeasureTake* take = nullptr;
    for (const auto& t : takes_)
        if (t.channel == view.channel && t.position == 1) take = &t;
    const ImpulseResponse& ir = m->impulse_response;
    const float height = ImGui::GetContentRegionAvail().y - 4.0f;
    if (result_view_ == 1) {
        // Impulse and its energy-time curve (dB of the squared IR), in ms after t = 0.
        Curve imp, etc;
        imp.label = "impulse (×, peak 1)";
        etc.label = "ETC (dB)";
        imp.colour = colour_measured;
        etc.colour = colour_correction;
        double peak = 1e-30;
        for (double v : ir.samples) peak = std::max(peak, std::abs(v));
        const double fs = ir.sample_rate.value;
        const auto last = std::min(ir.samples.size(), static_cast<std::size_t>(ir.reference_sample + 0.3 * fs));
        const std::size_t step = std::max<std::size_t>(1, last / 4000);
        for (std::size_t i = 0; i < last; i += step) {
            const double t_ms = (static_cast<double>(i) - ir.reference_sample) / fs * 1e3;
            double e = 0.0;
            for (std::size_t k = i; k < std::min(last, i + step); ++k) e = std::max(e, std::abs(ir.samples[k]));
            imp.x.push_back(t_ms);
            imp.y.push_back(ir.samples[i] / peak * 40.0 - 40.0);
            etc.x.push_back(t_ms);
            etc.y.push_back(20.0 * std::log10(std::max(e / peak, 1e-6)));
        }
        PlotSpec spec;
        spec.x_scale = AxisScale::linear;
        spec.x_unit = "ms";
        spec.home = {-5.0, 300.0, -90.0, 5.0};
        spec.height = height;
        plot("##impulse", plots_["measure.impulse"], spec, {etc, imp});
    } else if (result_view_ == 2) {
        if (!take) {
            ImGui::TextDisabled("Decay times come with a measurement taken here.");
            return ImGui::EndChild();
        }
        Curve t30, edt;
        t30.label = "T30 (ms)";
        edt.label = "EDT (ms)";
        t30.colour = colour_measured;
        edt.colour = colour_correction;
        edt.dashed = true;
        for (const auto& d : take->take.analysis.decay) {
            if (std::isfinite(d.t30_s)) t30.x.push_back(d.centre_hz), t30.y.push_back(d.t30_s * 1e3);
            if (std::isfinite(d.edt_s)) edt.x.push_back(d.centre_hz), edt.y.push_back(d.edt_s * 1e3);
        }
        PlotSpec spec;
        spec.y_unit = "ms";
        spec.home = {50.0, 12000.0, 0.0, 1000.0};
        spec.height = 0.45f * height;
        plot("##decay", plots_["measure.decay"], spec, {t30, edt});
        // The decays themselves: Schroeder backward integration per octave band, in time.
        auto& curves = decay_cache_[entry->room.name + "/" + view.channel];
        if (curves.empty()) {
            const double fs = ir.sample_rate.value;
            const auto step = static_cast<std::size_t>(fs / 1000.0);
            const double bands[] = {125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0};
            for (std::size_t b = 0; b < std::size(bands); ++b) {
                const auto db = measure::schroeder_curve_db(ir, bands[b]);
                Curve c;
                c.label = (bands[b] >= 1000.0 ? std::to_string(static_cast<int>(bands[b] / 1000.0)) + " kHz"
                                              : std::to_string(static_cast<int>(bands[b])) + " Hz");
                c.colour = series_colour(b);
                const auto start = static_cast<std::size_t>(std::max(0.0, ir.reference_sample));
                for (std::size_t i = start; i < db.size(); i += step) {
                    c.x.push_back((static_cast<double>(i) - ir.reference_sample) / fs * 1e3);
                    c.y.push_back(std::max(db[i], -100.0));
                }
                curves.push_back(std::move(c));
            }
        }
        PlotSpec time;
        time.x_scale = AxisScale::linear;
        time.x_unit = "ms";
        time.home = {0.0, 1000.0, -70.0, 0.0};
        time.height = ImGui::GetContentRegionAvail().y - 4.0f;
        plot("##schroeder", plots_["measure.schroeder"], time, curves);
    } else if (result_view_ == 3) {
        if (!take) {
            ImGui::TextDisabled("Distortion comes with a measurement taken here.");
            return ImGui::EndChild();
        }
        Curve thd, h2, h3;
        thd.label = "THD (dB)";
        h2.label = "H2 (dB)";
        h3.label = "H3 (dB)";
        thd.colour = colour_correction;
        h2.colour = colour_measured;
        h3.colour = colour_predicted;
        for (const auto& d : take->take.analysis.distortion) {
            thd.x.push_back(d.frequency_hz);
            thd.y.push_back(20.0 * std::log10(std::max(d.thd_percent / 100.0, 1e-6)));
            if (!d.harmonic_db.empty()) h2.x.push_back(d.frequency_hz), h2.y.push_back(d.harmonic_db[0]);
            if (d.harmonic_db.size() > 1) h3.x.push_back(d.frequency_hz), h3.y.push_back(d.harmonic_db[1]);
        }
        PlotSpec spec;
        spec.y_unit = "dB";
        spec.home = {20.0, 20000.0, -90.0, 0.0};
        spec.height = height;
        plot("##distortion", plots_["measure.distortion"], spec, {thd, h2, h3});
    } else {
        // Cumulative spectral decay: slices every 30 ms, later ones darker.
        auto& cache = waterfall_cache_[entry->room.name + "/" + view.channel];
        if (cache.times_s.empty()) {
            measure::WaterfallSpec ws;
            ws.step_ms = 30.0;
            ws.end_ms = 240.0;
            cache = measure::cumulative_spectral_decay(ir, log_frequency_grid(Hz(20.0), Hz(20000.0), 12), ws);
        }
        std::vector<Curve> curves;
        for (std::size_t s = 0; s < cache.times_s.size(); ++s) {
            const float k = 1.0f - static_cast<float>(s) / static_cast<float>(cache.times_s.size());
            const auto c = static_cast<int>(80 + 175 * k);
            char label[32];
            std::snprintf(label, sizeof label, "%.0f ms", cache.times_s[s] * 1e3);
            curves.push_back(curve_of(s % 2 == 0 ? label : "", cache.frequency_hz, cache.magnitude_db[s],
                                      IM_COL32(c, static_cast<int>(120 * k + 60), 255 - c / 2, 255), 1.2f));
        }
        PlotSpec spec;
        spec.home = {20.0, 20000.0, -60.0, 10.0};
        spec.height = height;
        plot("##waterfall", plots_["measure.waterfall"], spec, curves);
    }
    ImGui::EndChild();
}

}  // namespace roomcal::ui
