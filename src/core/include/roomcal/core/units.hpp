// Strong unit types for frequency, time and level, so a cutoff can never be passed
// where a gain was meant. Values are double: units are for design and analysis.
#pragma once

#include <cmath>
#include <compare>

namespace roomcal {

// A quantity tagged with its unit. Same-unit arithmetic only; scaling by a plain number.
template <typename Tag>
struct Quantity {
    double value = 0.0;

    constexpr Quantity() = default;
    constexpr explicit Quantity(double v) : value(v) {}

    constexpr auto operator<=>(const Quantity&) const = default;
    constexpr Quantity operator+(Quantity o) const { return Quantity(value + o.value); }
    constexpr Quantity operator-(Quantity o) const { return Quantity(value - o.value); }
    constexpr Quantity operator-() const { return Quantity(-value); }
    constexpr Quantity operator*(double k) const { return Quantity(value * k); }
    constexpr Quantity operator/(double k) const { return Quantity(value / k); }
    constexpr double operator/(Quantity o) const { return value / o.value; }
    constexpr Quantity& operator+=(Quantity o) {
        value += o.value;
        return *this;
    }
    constexpr Quantity& operator-=(Quantity o) {
        value -= o.value;
        return *this;
    }
};

struct HzTag {};
struct SecondsTag {};
struct DecibelTag {};

using Hz = Quantity<HzTag>;
using Seconds = Quantity<SecondsTag>;
using Decibels = Quantity<DecibelTag>;

// Amplitude ratio <-> decibels (20·log10). Gains of zero map to -inf dB.
inline double db_to_gain(double db) { return std::pow(10.0, db / 20.0); }
inline double gain_to_db(double gain) { return 20.0 * std::log10(gain); }
inline double db_to_gain(Decibels db) { return db_to_gain(db.value); }

// Power ratio <-> decibels (10·log10).
inline double power_to_db(double power) { return 10.0 * std::log10(power); }
inline double db_to_power(double db) { return std::pow(10.0, db / 10.0); }

// Time <-> samples at a rate; rounding is the caller's choice, so these stay exact.
constexpr double to_samples(Seconds t, Hz rate) { return t.value * rate.value; }
constexpr Seconds to_seconds(double samples, Hz rate) { return Seconds(samples / rate.value); }

inline namespace literals {
constexpr Hz operator""_Hz(long double v) { return Hz(static_cast<double>(v)); }
constexpr Hz operator""_Hz(unsigned long long v) { return Hz(static_cast<double>(v)); }
constexpr Hz operator""_kHz(long double v) { return Hz(static_cast<double>(v) * 1e3); }
constexpr Hz operator""_kHz(unsigned long long v) { return Hz(static_cast<double>(v) * 1e3); }
constexpr Seconds operator""_s(long double v) { return Seconds(static_cast<double>(v)); }
constexpr Seconds operator""_s(unsigned long long v) { return Seconds(static_cast<double>(v)); }
constexpr Seconds operator""_ms(long double v) { return Seconds(static_cast<double>(v) * 1e-3); }
constexpr Seconds operator""_ms(unsigned long long v) { return Seconds(static_cast<double>(v) * 1e-3); }
constexpr Decibels operator""_dB(long double v) { return Decibels(static_cast<double>(v)); }
constexpr Decibels operator""_dB(unsigned long long v) { return Decibels(static_cast<double>(v)); }
}  // namespace literals

}  // namespace roomcal
