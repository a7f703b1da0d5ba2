// Level meters and curve helpers for the pages.
#include "widgets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace roomcal::ui {

void section(const char* title) {
    ImGui::Spacing();
    ImGui::TextDisabled("%s", title);
    ImGui::Separator();
}

void level_bar(const char* label, double db, double hold_db, double min_db, double max_db, double warn_db,
               float width) {
    ImGui::TextUnformatted(label);
    ImGui::SameLine(80.0f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + h), IM_COL32(30, 32, 38, 255));
    const auto frac = [&](double v) {
        if (!std::isfinite(v)) return 0.0f;
        return static_cast<float>(std::clamp((v - min_db) / (max_db - min_db), 0.0, 1.0));
    };
    const float x = p.x + frac(db) * width, warn_x = p.x + frac(warn_db) * width;
    dl->AddRectFilled(p, ImVec2(std::min(x, warn_x), p.y + h), IM_COL32(80, 200, 120, 255));
    if (x > warn_x) dl->AddRectFilled(ImVec2(warn_x, p.y), ImVec2(x, p.y + h), IM_COL32(230, 70, 60, 255));
    if (std::isfinite(hold_db)) {
        const float hx = p.x + frac(hold_db) * width;
        dl->AddLine(ImVec2(hx, p.y), ImVec2(hx, p.y + h), IM_COL32(255, 255, 255, 220), 2.0f);
    }
    ImGui::Dummy(ImVec2(width, h));
    ImGui::SameLine();
    ImGui::Text("%s", db_text(db).c_str());
}

void centre_bar(const char* label, double value, float width) {
    ImGui::TextUnformatted(label);
    ImGui::SameLine(80.0f);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + h), IM_COL32(30, 32, 38, 255));
    const float mid = p.x + 0.5f * width;
    const float x = mid + static_cast<float>(std::clamp(value, -1.0, 1.0)) * 0.5f * width;
    dl->AddRectFilled(ImVec2(std::min(mid, x), p.y), ImVec2(std::max(mid, x), p.y + h),
                      value < 0.0 ? IM_COL32(230, 70, 60, 255) : IM_COL32(80, 160, 230, 255));
    dl->AddLine(ImVec2(mid, p.y), ImVec2(mid, p.y + h), IM_COL32(200, 200, 200, 160));
    ImGui::Dummy(ImVec2(width, h));
    ImGui::SameLine();
    ImGui::Text("%+.2f", value);
}

Curve response_curve(const std::string& label, const FrequencyResponse& r, ImU32 colour, float thickness) {
    return curve_of(label, r.frequency_hz, r.magnitude_db, colour, thickness);
}

Curve curve_of(const std::string& label, const std::vector<double>& x, const std::vector<double>& y, ImU32 colour,
               float thickness) {
    Curve c;
    c.label = label;
    c.x = x;
    c.y = y;
    c.colour = colour;
    c.thickness = thickness;
    return c;
}

std::string db_text(double db, int decimals) {
    if (!std::isfinite(db) || db < -200.0) return "—";
    char s[32];
    std::snprintf(s, sizeof s, "%.*f", decimals, std::abs(db));
    return (db < 0.0 && std::abs(db) >= 0.5 * std::pow(10.0, -decimals) ? "−" : "") + std::string(s);
}

}  // namespace roomcal::ui
