// Corrections as other tools' text: Equalizer APO configuration files, REW "Filter
// Settings file" exports (equaliser "Generic") and CamillaDSP v4 YAML configurations,
// written from a FilterSet and, for APO and REW, read back as parametric settings.
//
// Equalizer APO and CamillaDSP design PK/LSC/HSC/LPQ/HPQ with the bilinear transform
// (RBJ "Audio EQ Cookbook"); roomcal designs the same settings with matched biquads
// (dsp/biquad_design). The two agree at low frequencies and part near Nyquist, so the
// CamillaDSP export writes a filter's exact coefficients (`type: Free`) where the two
// differ by more than 0.05 dB below 20 kHz, and the APO export says by how much they
// differ in its header.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::io {

// Largest |matched − cookbook| magnitude difference in dB of one parametric filter at
// rate `fs`, from 10 Hz to 20 kHz (or 0.99 Nyquist when that is lower).
double cookbook_deviation_db(const ParametricFilter& p, Hz fs);

// An Equalizer APO config: a `#` header (roomcal, rate, description), then per channel
// `Channel: L`, `Preamp: G dB` (the channel's whole gain), `Delay: D ms` when delayed,
// `Filter N: ON PK Fc F Hz Gain G dB Q Q` (LSC/HSC with Q, LPQ/HPQ with Q), and for raw
// biquads `Filter N: ON IIR Order 2 Coefficients b0 b1 b2 a0 a1 a2`. A channel with an
// FIR gets `Convolution: PATH` with its path from `convolution_wavs` (channel -> path of
// a WAV holding that FIR alone); without one, throws roomcal::Error saying so.
// Frequencies carry 4 decimals: APO reads "1.234" (exactly 3) as 1234 Hz.
std::string equalizer_apo_text(const FilterSet& set, const std::map<std::string, std::string>& convolution_wavs = {});

// REW "Filter Settings file" text for one channel, laid out as REW writes it
// (`Filter  1: ON  PK       Fc   63.0000 Hz  Gain  -5.0000 dB  Q  4.0000`), with 4 decimals
// so reading it back stays within 0.001 dB. REW's settings hold no gain or delay; they
// are stated in the Notes line. Throws roomcal::Error for a missing channel, or one with
// an FIR or raw biquads, which REW's Generic equaliser cannot hold.
std::string rew_filter_text(const FilterSet& set, const std::string& channel);

// A CamillaDSP v4 configuration: `devices` (samplerate, chunksize 1024, capture and
// playback placeholders to set), `filters` (a Gain and a Delay per channel, a Biquad per
// filter: Peaking/Lowshelf/Highshelf/Lowpass/Highpass with freq/gain/q, or Free with the
// exact coefficients for raw biquads and filters the cookbook would not reproduce; a
// Conv of type Wav for an FIR, its file from `fir_wav_paths`), and a `pipeline` with
// one Filter step per channel. Throws roomcal::Error if a channel has an FIR and no path.
std::string camilladsp_yaml(const FilterSet& set, const std::map<std::string, std::string>& fir_wav_paths);

// Filter lines, shared by both readers: `Filter N: ON TYPE ...` with TYPE one of
// PK/PEQ (Fc, Gain, Q or BW Oct), LSC/HSC (Fc, Gain, optional Q or slope "12dB"),
// LS/HS (the same, with the frequency at the shelf's centre as APO and REW read it),
// LPQ/HPQ/LP/HP (Fc, optional Q, default 0.7071). OFF filters and type None are skipped.
// Decimal commas are read as decimal points; a frequency written "1.234" means 1234 Hz,
// as Equalizer APO reads REW's thousands separator. Anything else, a missing or
// out-of-range value (frequency outside 0–100 kHz, Q outside 0–1000, gain beyond
// ±60 dB) throws roomcal::Error naming `source`, the line number and its text.

// The filters of a REW filter-settings export: text lines up to the first filter line
// are header; after it, only filter lines and blank lines.
std::vector<ParametricFilter> parse_rew_filter_text(const std::string& text, const std::string& source);

// What one part of an Equalizer APO config does: the lines after one `Channel:` line (or
// before any), which apply to `channels` (empty: every channel).
struct ApoSection {
    std::vector<std::string> channels;
    double preamp_db = 0.0;      // its Preamp lines, summed
    double delay_ms = 0.0;       // its `Delay: X ms` lines, summed
    double delay_samples = 0.0;  // its `Delay: X samples` lines, summed
    std::vector<ParametricFilter> filters;
    std::vector<std::string> convolutions;  // paths of its Convolution lines
};

struct ApoConfig {
    std::vector<ApoSection> sections;

    // Everything that applies to `channel`, in file order: preamps and delays summed,
    // filters and convolutions concatenated. Channels match by name ("all" matches all).
    ApoSection for_channel(const std::string& channel) const;
    // The channel names the config names, in order of first appearance.
    std::vector<std::string> channel_names() const;
};

// Reads `Preamp: X dB`, `Delay: X ms|samples`, `Channel: NAMES`, `Filter...:` lines,
// `Convolution: PATH`, `#` comments and blank lines. Other commands (Include, Device,
// GraphicEQ, IIR coefficient filters, ...) and lines that are not commands throw
// roomcal::Error naming `source`, the line number and its text.
ApoConfig parse_equalizer_apo_text(const std::string& text, const std::string& source);

enum class FilterTextKind { none, rew, equalizer_apo };

// REW when a "Filter Settings file" line opens the text; Equalizer APO when a line is
// `Filter...: ON|OFF ...` or `Preamp: ...`; none otherwise (e.g. a measurement export).
FilterTextKind detect_filter_text(const std::string& text);

// A whole text file; throws roomcal::Error naming the file when it cannot be read or
// holds NUL bytes (binary, UTF-16).
std::string read_text_file(const std::filesystem::path& path);

}  // namespace roomcal::io
