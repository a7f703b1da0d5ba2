// The Compare page: a mix and its master loaded, aligned and level-matched on a worker,
// A/B with one key (the master aligned and matched), the band differences and the
// summary; the pairs compared so far and the target change they suggest.
#include <algorithm>
#include <cmath>

#include "job.hpp"
#include "roomcal/compare/pairs.hpp"
#include "roomcal/ui/app.hpp"
#include "widgets.hpp"

namespace roomcal::ui {

void App::draw_compare_page() {
    const bool working = (compare_job_ && compare_job_->running()) || (load_job_ && load_job_->running());
    ImGui::BeginChild("files", ImVec2(380, 0), true);
    section("Mix and master");
    char mix[512], master[512];
    std::snprintf(mix, sizeof mix, "%s", mix_path_.c_str());
    std::snprintf(master, sizeof master, "%s", master_path_.c_str());
    ImGui::SetNextItemWidth(-60);
    if (ImGui::InputTextWithHint("mix", mix_pair_ && mix_path_.empty() ? "demo mix (20 s)" : "mix.wav", mix,
                                 sizeof mix))
        mix_path_ = mix;
    ImGui::SetNextItemWidth(-60);
    if (ImGui::InputTextWithHint("master", mix_pair_ && master_path_.empty() ? "demo master" : "master.wav", master,
                                 sizeof master))
        master_path_ = master;
    if (working) {
        const bool loading = load_job_ && load_job_->running();
        ImGui::ProgressBar(static_cast<float>(loading ? load_job_->fraction() : compare_job_->fraction()),
                           ImVec2(-1, 0), loading ? "reading the files" : "aligning and measuring");
    } else if (button("Compare")) {
        start_compare(mix_path_, master_path_);
    }
    ImGui::SameLine();
    if (button(ab_is_b() ? "B: master (A)" : "A: mix (A)")) toggle_ab();
    ImGui::SameLine();
    if (button(playing() ? "Pause" : "Play")) play_pause();
    if (comparison_) {
        const auto& c = *comparison_;
        section("What the master changed");
        ImGui::TextWrapped("%s", c.summary.c_str());
        ImGui::Spacing();
        if (ImGui::BeginTable("numbers", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
            ImGui::TableSetupColumn("");
            ImGui::TableSetupColumn("mix");
            ImGui::TableSetupColumn("master");
            ImGui::TableHeadersRow();
            const auto row = [](const char* what, const std::string& a, const std::string& b) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(what);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(a.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(b.c_str());
            };
            row("loudness (LUFS)", db_text(c.mix.loudness_lufs), db_text(c.master.loudness_lufs));
            row("LRA (LU)", db_text(c.mix.lra_lu), db_text(c.master.lra_lu));
            row("true peak (dBTP)", db_text(c.mix.true_peak_dbtp), db_text(c.master.true_peak_dbtp));
            row("PLR (dB)", db_text(c.mix.plr_db), db_text(c.master.plr_db));
            row("crest (dB)", db_text(c.mix.crest_db), db_text(c.master.crest_db));
            ImGui::EndTable();
        }
        ImGui::Text("offset %ld samples (%.3f s), confidence %.2f%s", c.alignment.offset_samples,
                    static_cast<double>(c.alignment.offset_samples) / c.sample_rate.value, c.alignment.confidence,
                    c.alignment.polarity_inverted ? ", polarity inverted" : "");
        ImGui::Text("level match %s dB (RMS %s, loudest 3 s %s)", db_text(c.gain_match_db, 2).c_str(),
                    db_text(c.rms_match_db, 2).c_str(), db_text(c.loudest_match_db, 2).c_str());
        for (const auto& w : c.warnings) ImGui::TextWrapped("! %s", w.c_str());
    }
    section("Pairs so far");
    ImGui::Text("%zu compared this session", pair_history_.size());
    if (pairs_summary_) {
        ImGui::TextWrapped("%s", pairs_summary_->summary.c_str());
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
        ImGui::TextWrapped("Compare two or more of your masters to see what they keep changing.");
        ImGui::PopStyleColor();
    }
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("bands");
    if (!comparison_) {
        ImGui::TextDisabled("Compare a mix with its master: the band differences appear here.");
        return ImGui::EndChild();
    }
    Curve third, erb;
    third.label = "third octaves (master − mix, level-matched)";
    third.colour = colour_correction;
    third.thickness = 2.5f;
    for (const auto& b : comparison_->bands) third.x.push_back(b.centre_hz), third.y.push_back(b.diff_db);
    erb.label = "ERB bands";
    erb.colour = colour_measured;
    erb.thickness = 1.2f;
    for (const auto& b : comparison_->erb_bands) erb.x.push_back(b.centre_hz), erb.y.push_back(b.diff_db);
    std::vector<Curve> curves{third, erb};
    std::vector<Band> bands;
    if (pairs_summary_) {
        const auto& s = *pairs_summary_;
        Band ci;
        ci.label = "all pairs: 95 % interval";
        ci.colour = IM_COL32(120, 230, 140, 50);
        Curve mean;
        mean.label = "all pairs: mean";
        mean.colour = colour_predicted;
        mean.dashed = true;
        for (const auto& b : s.bands) {
            ci.x.push_back(b.centre_hz), ci.lo.push_back(b.ci_low_db), ci.hi.push_back(b.ci_high_db);
            mean.x.push_back(b.centre_hz), mean.y.push_back(b.mean_db);
        }
        bands.push_back(std::move(ci));
        curves.push_back(std::move(mean));
    }
    PlotSpec spec;
    spec.home = {20.0, 20000.0, -8.0, 8.0};
    spec.height = ImGui::GetContentRegionAvail().y - 4.0f;
    plot("##bands", plots_["compare.bands"], spec, curves, bands);
    ImGui::EndChild();
}

}  // namespace roomcal::ui
