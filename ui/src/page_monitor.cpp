// The Monitor page: transport and A/B, correction on/off (crossfaded), the room that runs
// and "as heard in room X", the mastering chain (EQ bands and their curve, limiter with
// its gain-reduction meter, level-matched bypass), meters (peak, true peak, M/S/I LUFS,
// LRA, correlation) and a third-octave spectrum analyser.
#include <algorithm>
#include <cmath>
#include <complex>

#include "audio_driver.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {
namespace {

const char* band_types[] = {"bell", "low shelf", "high shelf", "low-pass", "high-pass"};

// The chain EQ's magnitude (dB) at 48 kHz on a log grid, with makeup.
Curve chain_curve(const MasteringChain& chain) {
    Curve c;
    c.label = "chain EQ + makeup";
    c.colour = colour_correction;
    c.thickness = 2.0f;
    ChannelFilter cf;
    for (const auto& b : chain.eq)
        if (b.enabled) cf.biquads.push_back(dsp::design_biquad(b.filter, Hz(48000.0)));
    for (double f = 20.0; f <= 20000.0; f *= std::pow(2.0, 1.0 / 12.0)) {
        c.x.push_back(f);
        c.y.push_back(20.0 * std::log10(std::max(std::abs(cf.response(Hz(f), Hz(48000.0))), 1e-9)) + chain.makeup_db);
    }
    return c;
}

}  // namespace

void App::draw_monitor_page() {
    const auto readings = meter_readings();
    ImGui::BeginChild("controls", ImVec2(420, 0), true);
    section("Transport");
    if (button(playing() ? "Pause (Space)" : "Play (Space)")) play_pause();
    ImGui::SameLine();
    if (button(ab_is_b() ? "B: master (A)" : "A: mix (A)")) toggle_ab();
    if (audio_ && audio_->player()) {
        auto* p = audio_->player();
        const double rate = audio_->setup().sample_rate;
        ImGui::SameLine();
        ImGui::Text("%.1f / %.1f s", static_cast<double>(p->position()) / rate,
                    static_cast<double>(p->frames()) / rate);
    }
    section("Correction");
    bool on = correction_on_;
    if (ImGui::Checkbox("correction on (B)", &on)) set_correction_enabled(on);
    remember_control("correction on (B)");
    const std::string current = selected_room_ ? rooms_[*selected_room_].room.name : "none";
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("room (1–9)", current.c_str())) {
        for (std::size_t i = 0; i < rooms_.size(); ++i) {
            const std::string label = std::to_string(i + 1) + "  " + rooms_[i].room.name +
                                      (rooms_[i].room.corrections.empty() ? "  (not fitted)" : "");
            if (ImGui::Selectable(label.c_str(), selected_room_ == i)) select_room(i);
        }
        ImGui::EndCombo();
    }
    const std::string heard = audition_room_ ? rooms_[*audition_room_].room.name : "off";
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("as heard in", heard.c_str())) {
        if (ImGui::Selectable("off", !audition_room_)) set_audition_room(std::nullopt);
        for (std::size_t i = 0; i < rooms_.size(); ++i)
            if (ImGui::Selectable(rooms_[i].room.name.c_str(), audition_room_ == i)) set_audition_room(i);
        ImGui::EndCombo();
    }
    if (audio_) ImGui::TextDisabled("latency %.1f ms", audio_->status().latency_ms);

    section("Mastering chain");
    bool bypass = chain_bypassed_;
    if (ImGui::Checkbox("bypass (level-matched)", &bypass)) set_chain_bypassed(bypass);
    remember_control("bypass (level-matched)");
    if (audio_) {
        ImGui::SameLine();
        ImGui::TextDisabled("match %s dB", db_text(audio_->engine().bypass_match_db()).c_str());
    }
    bool changed = false;
    if (ImGui::BeginTable("eq", 5, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("on", ImGuiTableColumnFlags_WidthFixed, 28);
        ImGui::TableSetupColumn("type", ImGuiTableColumnFlags_WidthStretch, 1.2f);
        ImGui::TableSetupColumn("Hz", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("Q", ImGuiTableColumnFlags_WidthStretch, 0.7f);
        ImGui::TableSetupColumn("dB", ImGuiTableColumnFlags_WidthStretch, 0.8f);
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < chain_.eq.size(); ++i) {
            auto& b = chain_.eq[i];
            ImGui::PushID(static_cast<int>(i));
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            changed |= ImGui::Checkbox("##on", &b.enabled);
            ImGui::TableNextColumn();
            int type = static_cast<int>(b.filter.type);
            ImGui::SetNextItemWidth(-1);
            if (ImGui::Combo("##type", &type, band_types, 5))
                b.filter.type = static_cast<FilterType>(type), changed = true;
            float f = static_cast<float>(b.filter.frequency_hz), q = static_cast<float>(b.filter.q),
                  g = static_cast<float>(b.filter.gain_db);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##f", &f, f * 0.005f, 10.0f, 24000.0f, "%.0f"))
                b.filter.frequency_hz = f, changed = true;
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##q", &q, 0.01f, 0.1f, 10.0f, "%.2f")) b.filter.q = q, changed = true;
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            if (ImGui::DragFloat("##g", &g, 0.05f, -24.0f, 24.0f, "%+.1f")) b.filter.gain_db = g, changed = true;
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (chain_.eq.size() < 16 && ImGui::SmallButton("+ band")) {
        chain_.eq.push_back({ParametricFilter{FilterType::peaking, 1000.0, 1.0, 0.0}, true});
        changed = true;
    }
    if (!chain_.eq.empty()) {
        ImGui::SameLine();
        if (ImGui::SmallButton("− last band")) chain_.eq.pop_back(), changed = true;
    }
    float makeup = static_cast<float>(chain_.makeup_db);
    if (ImGui::SliderFloat("makeup", &makeup, -24.0f, 24.0f, "%+.1f dB")) chain_.makeup_db = makeup, changed = true;
    changed |= ImGui::Checkbox("limiter", &chain_.limiter.enabled);
    float ceiling = static_cast<float>(chain_.limiter.ceiling_dbtp),
          release = static_cast<float>(chain_.limiter.release_ms),
          drive = static_cast<float>(chain_.limiter.input_gain_db);
    if (ImGui::SliderFloat("ceiling", &ceiling, -30.0f, 0.0f, "%.1f dBTP"))
        chain_.limiter.ceiling_dbtp = ceiling, changed = true;
    if (ImGui::SliderFloat("release", &release, 1.0f, 5000.0f, "%.0f ms", ImGuiSliderFlags_Logarithmic))
        chain_.limiter.release_ms = release, changed = true;
    if (ImGui::SliderFloat("drive", &drive, -24.0f, 24.0f, "%+.1f dB"))
        chain_.limiter.input_gain_db = drive, changed = true;
    const double gr = audio_ ? audio_->engine().gain_reduction_db() : 0.0;
    level_bar("GR dB", gr, gr, 0.0, 20.0, 6.0, 200.0f);
    if (changed) apply_chain();
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("meters");
    section("Meters");
    const float bar = std::max(160.0f, ImGui::GetContentRegionAvail().x - 180.0f);
    for (std::size_t c = 0; c < std::min<std::size_t>(readings.channels, 2); ++c) {
        const char* name = c == 0 ? "peak L" : "peak R";
        level_bar(name, readings.sample_peak_dbfs[c].level_db, readings.sample_peak_dbfs[c].hold_db, -60.0, 0.0, -6.0,
                  bar);
    }
    for (std::size_t c = 0; c < std::min<std::size_t>(readings.channels, 2); ++c) {
        const char* name = c == 0 ? "TP L" : "TP R";
        level_bar(name, readings.true_peak_dbtp[c].level_db, readings.true_peak_dbtp[c].max_db, -60.0, 0.0,
                  chain_.limiter.ceiling_dbtp, bar);
    }
    level_bar("M LUFS", readings.momentary_lufs, readings.momentary_lufs, -50.0, 0.0, -9.0, bar);
    level_bar("S LUFS", readings.short_term_lufs, readings.short_term_lufs, -50.0, 0.0, -9.0, bar);
    ImGui::Text("integrated %s LUFS    LRA %.1f LU    true peak max %s dBTP", db_text(readings.integrated_lufs).c_str(),
                readings.loudness_range_lu,
                db_text(std::max(readings.true_peak_dbtp[0].max_db, readings.true_peak_dbtp[1].max_db)).c_str());
    centre_bar("corr", readings.correlation, bar);
    if (ImGui::SmallButton("reset meters") && audio_) audio_->reset_meters();

    section("Spectrum (1/3 octave) and chain EQ");
    Curve spectrum;
    spectrum.label = "spectrum";
    spectrum.colour = colour_measured;
    spectrum.thickness = 2.0f;
    for (std::size_t b = 0; b < readings.spectrum_bands; ++b) {
        spectrum.x.push_back(engine::spectrum_band_centre_hz(b));
        spectrum.y.push_back(std::max(-120.0, readings.spectrum_db[b]));
    }
    // The EQ's curve is designed again only when the chain changes, not every frame.
    if (!chain_curve_ || chain_curve_->first != chain_) chain_curve_.emplace(chain_, chain_curve(chain_));
    Curve eq = chain_curve_->second;
    for (auto& v : eq.y) v -= 30.0;  // the EQ around −30 on the same axis: its shape, not its level
    eq.label = "chain EQ (0 dB at −30)";
    PlotSpec spec;
    spec.y_unit = "dB";
    spec.home = {20.0, 20000.0, -90.0, 0.0};
    spec.height = ImGui::GetContentRegionAvail().y - 4.0f;
    plot("##spectrum", plots_["monitor.spectrum"], spec, {spectrum, eq});
    ImGui::EndChild();
}

}  // namespace roomcal::ui
