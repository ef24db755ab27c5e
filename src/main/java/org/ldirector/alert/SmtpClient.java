package org.ldirector.alert;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Just enough SMTP (RFC 5321) to hand one message to a relay, as Net::SMTP does for ldirectord:
 * EHLO (HELO if refused), MAIL, one RCPT per recipient, DATA with dot-stuffing, QUIT. Written here
 * because a mail library would bring MIME, authentication and pooling a health alert never uses.
 */
final class SmtpClient {
    private final Duration timeout;

    SmtpClient(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * @param host smtp= (a name or address: ldirectord's parser keeps no port, so 25)
     */
    void send(
            String host,
            int port,
            String helo,
            String envelopeFrom,
            List<String> to,
            String message)
            throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            expect(in, 2, "greeting");
            command(out, "EHLO " + helo);
            if (reply(in) / 100 != 2) {
                command(out, "HELO " + helo);
                expect(in, 2, "HELO");
            }
            command(out, "MAIL FROM:<" + envelopeFrom + ">");
            expect(in, 2, "MAIL FROM");
            for (String rcpt : to) {
                command(out, "RCPT TO:<" + rcpt + ">");
                expect(in, 2, "RCPT TO " + rcpt);
            }
            command(out, "DATA");
            expect(in, 3, "DATA");
            StringBuilder data = new StringBuilder();
            // the last newline ends the last line rather than starting an empty one
            String body =
                    message.endsWith("\n") ? message.substring(0, message.length() - 1) : message;
            for (String line : body.split("\r?\n", -1)) {
                data.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            }
            data.append(".\r\n");
            out.write(data.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            expect(in, 2, "end of data");
            command(out, "QUIT");
            reply(in);
        }
    }

    private static void command(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The code of a reply, reading all lines of a multi-line one ("250-..." up to "250 ..."). */
    private static int reply(BufferedReader in) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("the SMTP server closed the connection");
            }
            if (line.length() < 3 || !line.substring(0, 3).matches("\\d{3}")) {
                throw new IOException("not an SMTP reply: " + line);
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return Integer.parseInt(line.substring(0, 3));
            }
        }
    }

    private static void expect(BufferedReader in, int klass, String what) throws IOException {
        int code = reply(in);
        if (code / 100 != klass) {
            throw new IOException("SMTP " + what + " refused with " + code);
        }
    }
}
