// The Audio page: host API and devices, channels, rate and buffer; the running state,
// latency, load and xruns; a test tone at a safe level (1 kHz, −20 dBFS, faded).
#include <algorithm>
#include <cstdio>

#include "audio_driver.hpp"
#include "roomcal/engine/devices.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {

void App::draw_audio_page() {
    ImGui::BeginChild("device", ImVec2(460, 0), true);
    section("Device");
    if (!options_.simulate.empty()) {
        ImGui::TextWrapped(
            "Virtual room \"%s\": the engine runs on a simulated audio clock; nothing reaches a sound "
            "card. Start without --simulate to use a device.",
            options_.simulate.c_str());
    } else {
        if (button("Scan devices")) {
            try {
                engine::PortAudioSession session;
                const auto list = engine::list_devices();
                device_names_.clear();
                host_api_text_.clear();
                for (const auto& h : list.host_apis)
                    host_api_text_ +=
                        (host_api_text_.empty() ? "" : ", ") + h.name + " (" + std::to_string(h.device_count) + ")";
                for (const auto& d : list.devices)
                    if (d.max_output_channels >= 2) device_names_.push_back(d.name + " [" + d.host_api + "]");
            } catch (const std::exception& e) {
                error_ = e.what();
            }
        }
        ImGui::SameLine();
        ImGui::TextDisabled("host APIs: %s", host_api_text_.empty() ? "(scan)" : host_api_text_.c_str());
        if (ImGui::BeginListBox("##devices", ImVec2(-1, 140))) {
            if (ImGui::Selectable("default device", device_.empty())) device_.clear();
            for (const auto& d : device_names_)
                if (ImGui::Selectable(d.c_str(), device_ == d.substr(0, d.rfind(" ["))))
                    device_ = d.substr(0, d.rfind(" ["));
            ImGui::EndListBox();
        }
    }
    ImGui::TextUnformatted("channels: 2 (L, R)");
    const double rates[] = {44100.0, 48000.0, 88200.0, 96000.0};
    ImGui::SetNextItemWidth(140);
    if (ImGui::BeginCombo("sample rate", (std::to_string(static_cast<int>(rate_)) + " Hz").c_str())) {
        for (double r : rates)
            if (ImGui::Selectable((std::to_string(static_cast<int>(r)) + " Hz").c_str(), r == rate_)) rate_ = r;
        ImGui::EndCombo();
    }
    const unsigned buffers[] = {64, 128, 256, 512, 1024};
    ImGui::SetNextItemWidth(140);
    if (ImGui::BeginCombo("buffer", (std::to_string(buffer_) + " frames").c_str())) {
        for (unsigned b : buffers)
            if (ImGui::Selectable((std::to_string(b) + " frames").c_str(), b == buffer_)) buffer_ = b;
        ImGui::EndCombo();
    }
    if (button("Apply and restart audio")) restart_audio();
    section("Test tone");
    ImGui::TextWrapped("1 kHz at −20 dBFS on both channels for 5 s, faded in and out: check the level before a sweep.");
    if (button(tone_on_ ? "Stop tone" : "Play test tone")) {
        tone_on_ = !tone_on_;
        restart_audio();
    }
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("state");
    section("Running");
    if (!audio_) {
        ImGui::TextDisabled("audio is off%s", error_.empty() ? "" : ": see the status line");
        return ImGui::EndChild();
    }
    const auto st = audio_->status();
    if (ImGui::BeginTable("running", 2, ImGuiTableFlags_SizingFixedFit)) {
        const auto row = [](const char* what, const std::string& value) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", what);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(value.c_str());
        };
        char text[160];
        row("device", st.device);
        row("state", st.error.empty() ? (st.running ? "running" : "stopped") : "lost: " + st.error);
        std::snprintf(text, sizeof text, "%.0f Hz, %u frames (%.2f ms)", st.sample_rate, st.frames_per_buffer,
                      st.frames_per_buffer / st.sample_rate * 1e3);
        row("format", text);
        std::snprintf(text, sizeof text, "%.1f ms (buffers and correction; tell the DAW)", st.latency_ms);
        row("latency", text);
        row("callbacks", std::to_string(st.callbacks));
        std::snprintf(text, sizeof text, "%zu xruns, %zu late blocks, slowest block %.2f ms", st.xruns, st.late,
                      st.max_callback_ms);
        row("dropouts", text);
        std::snprintf(text, sizeof text, "%.1f %%", st.load * 100.0);
        row("load", text);
        ImGui::EndTable();
    }
    load_history_.push_back(static_cast<float>(st.load * 100.0));
    if (load_history_.size() > 300) load_history_.erase(load_history_.begin());
    ImGui::PlotLines("##load", load_history_.data(), static_cast<int>(load_history_.size()), 0, "load % (recent)", 0.0f,
                     100.0f, ImVec2(ImGui::GetContentRegionAvail().x, 120.0f));
    ImGui::EndChild();
}

}  // namespace roomcal::ui
