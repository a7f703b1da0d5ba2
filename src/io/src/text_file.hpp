// Reading text formats (REW/FRD responses, house curves, filter settings): the whole
// file with errors that say what to do, lines split the same way on every platform, and
// a line quoted for a message. Private to roomcal_io.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace roomcal::io::text {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// LF, CRLF and CR all end a line, so line numbers agree with any editor.
std::vector<std::string_view> split_lines(std::string_view text);

// The text in quotes for a message, control characters blanked and cut short after
// `max_shown` characters, so a stray binary line stays readable.
std::string quoted(std::string_view text, std::size_t max_shown);

// The whole file; throws roomcal::Error naming the path for a missing file, a folder, or
// a read that fails.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace roomcal::io::text
