// The Rooms page: every measured room's listening-position average overlaid, and how a
// loaded mix translates across them (per room: score uncorrected and corrected, worst
// bands; what differs most between rooms).
#include <algorithm>
#include <cmath>

#include "job.hpp"
#include "roomcal/compare/compare.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {

void App::draw_rooms_page() {
    if (rooms_.empty()) {
        ImGui::TextDisabled("No rooms measured yet: measure one on the Measure page.");
        return;
    }
    const float plot_height = std::max(220.0f, 0.5f * ImGui::GetContentRegionAvail().y);
    std::vector<Curve> curves;
    for (std::size_t i = 0; i < rooms_.size(); ++i)
        for (const auto& v : rooms_[i].channels) {
            if (v.channel != rooms_[i].channels.front().channel) continue;
            // Each room at its own 200 Hz–2 kHz level: the shapes compare, not the gain staging.
            double level = 0.0;
            int n = 0;
            for (std::size_t k = 0; k < v.average.size(); ++k)
                if (v.average.frequency_hz[k] >= 200.0 && v.average.frequency_hz[k] <= 2000.0)
                    level += v.average.magnitude_db[k], ++n;
            Curve c = response_curve(std::to_string(i + 1) + " " + rooms_[i].room.name + " (" + v.channel + ")",
                                     v.average, series_colour(i), 2.0f);
            for (auto& y : c.y) y -= n ? level / n : 0.0;
            curves.push_back(std::move(c));
        }
    PlotSpec spec;
    spec.home = {20.0, 20000.0, -25.0, 15.0};
    spec.height = plot_height;
    plot("##rooms", plots_["rooms.overlay"], spec, curves);

    section("Translation of the mix");
    const bool working = translate_job_ && translate_job_->running();
    if (working)
        ImGui::ProgressBar(static_cast<float>(translate_job_->fraction()), ImVec2(300, 0), "translating");
    else if (button("Translate", mix_pair_ != nullptr))
        start_translation();
    if (!mix_pair_) {
        ImGui::SameLine();
        ImGui::TextDisabled("load a mix on the Compare page first");
    }
    if (!translation_) return;
    if (ImGui::BeginTable("translation", 4,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("room");
        ImGui::TableSetupColumn("score, as measured");
        ImGui::TableSetupColumn("score, corrected");
        ImGui::TableSetupColumn("worst bands (as measured)");
        ImGui::TableHeadersRow();
        for (const auto& r : translation_->rooms) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.room.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.1f dB RMS", r.score_db);
            ImGui::TableNextColumn();
            if (r.heard_corrected_db.empty())
                ImGui::TextDisabled("not fitted");
            else
                ImGui::Text("%.1f dB RMS", r.score_corrected_db);
            ImGui::TableNextColumn();
            std::string worst;
            for (const auto& b : r.worst)
                worst +=
                    (worst.empty() ? "" : ", ") + compare::band_name(b.centre_hz) + " " + db_text(b.diff_db) + " dB";
            ImGui::TextUnformatted(worst.c_str());
        }
        ImGui::EndTable();
    }
    for (const auto& d : translation_->differences) ImGui::BulletText("%s", d.c_str());
}

}  // namespace roomcal::ui
