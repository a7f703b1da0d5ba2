// Numbers in messages for people: "30000 Hz", "0.25 dB", not "30000.000000".
#pragma once

#include <string>

namespace roomcal {

// Up to `significant` significant digits, no trailing zeros.
std::string fmt(double value, int significant = 6);

}  // namespace roomcal
