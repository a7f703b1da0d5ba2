// A small well-formedness check for the markup the report writes (HTML with inline SVG):
// every element closed in order, attributes quoted, '&' only in entities, no stray '<'.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace roomcal::test {

// Empty when well-formed; otherwise what is wrong and where.
inline std::string markup_problem(std::string_view text) {
    static const std::vector<std::string_view> void_elements{"meta", "br", "hr", "img", "link", "input"};
    std::vector<std::string> open;
    auto where = [&](std::size_t at) { return " at offset " + std::to_string(at); };
    auto entity_ok = [&](std::size_t at) {
        const auto semi = text.find(';', at);
        if (semi == std::string_view::npos || semi - at > 8 || semi == at + 1) return false;
        for (std::size_t k = at + 1; k < semi; ++k)
            if (!std::isalnum(static_cast<unsigned char>(text[k])) && text[k] != '#') return false;
        return true;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '&') {
            if (!entity_ok(i)) return "bare '&'" + where(i);
            ++i;
            continue;
        }
        if (c == '>') return "stray '>'" + where(i);
        if (c != '<') {
            ++i;
            continue;
        }
        if (text.substr(i, 9) == "<!DOCTYPE") {
            i = text.find('>', i) + 1;
            continue;
        }
        if (text.substr(i, 4) == "<!--") {
            const auto end = text.find("-->", i);
            if (end == std::string_view::npos) return "unclosed comment" + where(i);
            i = end + 3;
            continue;
        }
        const bool closing = i + 1 < text.size() && text[i + 1] == '/';
        std::size_t k = i + (closing ? 2 : 1);
        const std::size_t name_from = k;
        while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '-')) ++k;
        if (k == name_from) return "stray '<'" + where(i);
        const std::string name(text.substr(name_from, k - name_from));
        // Attributes: name="value" pairs up to '>' or '/>'.
        bool self_closing = false;
        for (;;) {
            while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
            if (k >= text.size()) return "unterminated tag <" + name + where(i);
            if (text[k] == '>') break;
            if (text.substr(k, 2) == "/>") {
                self_closing = true;
                ++k;
                break;
            }
            if (closing) return "attributes in closing tag </" + name + where(i);
            const std::size_t attr_from = k;
            while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '-' ||
                                       text[k] == ':' || text[k] == '_'))
                ++k;
            if (k == attr_from) return "bad attribute in <" + name + where(k);
            if (k < text.size() && text[k] != '=') continue;  // a bare attribute
            if (k + 1 >= text.size() || text[k + 1] != '"') return "unquoted attribute in <" + name + where(k);
            const auto end = text.find('"', k + 2);
            if (end == std::string_view::npos) return "unterminated attribute in <" + name + where(k);
            for (std::size_t a = k + 2; a < end; ++a) {
                if (text[a] == '<' || text[a] == '>') return "'<' or '>' inside an attribute of <" + name + where(a);
                if (text[a] == '&' && !entity_ok(a)) return "bare '&' in an attribute of <" + name + where(a);
            }
            k = end + 1;
        }
        i = k + 1;
        if (closing) {
            if (open.empty() || open.back() != name)
                return "</" + name + "> closes " + (open.empty() ? "nothing" : "<" + open.back() + ">") + where(i);
            open.pop_back();
        } else if (!self_closing) {
            bool is_void = false;
            for (auto v : void_elements) is_void = is_void || v == name;
            if (!is_void) open.push_back(name);
            if (name == "style" || name == "script") {  // raw text up to the end tag
                const auto end = text.find("</" + name + ">", i);
                if (end == std::string_view::npos) return "unclosed <" + name + ">";
                i = end;
            }
        }
    }
    if (!open.empty()) return "<" + open.back() + "> never closed";
    return "";
}

}  // namespace roomcal::test
