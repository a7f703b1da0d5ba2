// Shared text-file reading for the io formats.
#include "text_file.hpp"

#include <fstream>
#include <sstream>

#include "roomcal/core/error.hpp"

namespace roomcal::io::text {
namespace fs = std::filesystem;

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\n' && text[i] != '\r') continue;
        lines.push_back(text.substr(start, i - start));
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

std::string quoted(std::string_view text, std::size_t max_shown) {
    std::string s = "\"";
    for (const char c : text.substr(0, max_shown)) s += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    if (text.size() > max_shown) s += "...";
    return s + "\"";
}

std::string read_whole_file(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (status.type() == fs::file_type::not_found) throw Error(path.string() + ": file does not exist; check the path");
    if (status.type() == fs::file_type::directory)
        throw Error(path.string() + ": is a folder; give the path of a text file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot be opened; check that it exists and is readable");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) throw Error(path.string() + ": could not be read to the end; check the disk and try again");
    return content.str();
}

}  // namespace roomcal::io::text
