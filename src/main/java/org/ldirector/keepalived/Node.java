package org.ldirector.keepalived;

import java.nio.file.Path;
import java.util.List;

/**
 * One keepalived statement: its keyword and arguments as words, where it was written, and the
 * statements of its {@code { }} block (empty for a plain statement).
 *
 * @param file the file it was read from (an included file's own path)
 * @param line its line in that file
 * @param words keyword first, then the arguments, quotes removed
 * @param children the block's statements, in order
 * @param block whether it had a block ({@code url { }} with nothing inside still has one)
 */
public record Node(Path file, int line, List<String> words, List<Node> children, boolean block) {

    public String keyword() {
        return words.get(0);
    }

    /** The i-th argument (1 is the first after the keyword), or "" when there is none. */
    public String arg(int i) {
        return i < words.size() ? words.get(i) : "";
    }

    public List<String> args() {
        return words.subList(1, words.size());
    }

    /** FILE:LINE, the form every warning names its statement by. */
    public String where() {
        return file + ":" + line;
    }
}
