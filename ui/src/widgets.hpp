// Small drawing helpers the pages share: level meters, curves from responses, numbers.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "roomcal/core/frequency_response.hpp"
#include "roomcal/ui/plot.hpp"

namespace roomcal::ui {

// A titled divider between groups of controls.
void section(const char* title);

// A horizontal bar meter from min_db to max_db with a hold tick; red above `warn_db`.
void level_bar(const char* label, double db, double hold_db, double min_db, double max_db, double warn_db, float width);
// A centred bar for -1..+1 (correlation).
void centre_bar(const char* label, double value, float width);

Curve response_curve(const std::string& label, const FrequencyResponse& r, ImU32 colour, float thickness = 1.5f);
Curve curve_of(const std::string& label, const std::vector<double>& x, const std::vector<double>& y, ImU32 colour,
               float thickness = 1.5f);

// "−12.3" with a proper minus; "—" for silence (-inf).
std::string db_text(double db, int decimals = 1);

// Colours with a meaning of their own.
inline constexpr ImU32 colour_measured = IM_COL32(120, 180, 255, 255);
inline constexpr ImU32 colour_target = IM_COL32(255, 255, 255, 200);
inline constexpr ImU32 colour_predicted = IM_COL32(120, 230, 140, 255);
inline constexpr ImU32 colour_correction = IM_COL32(255, 170, 60, 255);
inline constexpr ImU32 colour_spread = IM_COL32(120, 180, 255, 50);

}  // namespace roomcal::ui
