package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Mailer sends mail through an SMTP server.
type Mailer struct {
	Host string
	Port int
	From string
	// TLS is "none" (plain, for a relay on localhost), "starttls" or "tls"
	// (implicit TLS, usually port 465).
	TLS      string
	Username string
	Password string
	// Log, when set, gets a warning for every mail not delivered.
	Log *slog.Logger
}

// DeliveryError is a mail Send could not deliver. Send has logged it as a
// warning when the Mailer has a Log, so that a caller that retries need not
// log every attempt again.
type DeliveryError struct{ Err error }

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// Validate lists every problem with the mail settings.
func (m *Mailer) Validate() error {
	var errs []error
	if m.Host == "" {
		errs = append(errs, errors.New("SMTP host is required"))
	}
	if m.Port < 1 || m.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port %d: out of range", m.Port))
	}
	if !strings.Contains(m.From, "@") {
		errs = append(errs, fmt.Errorf("SMTP sender %q: must be an e-mail address", m.From))
	}
	switch m.TLS {
	case "none", "starttls", "tls":
	default:
		errs = append(errs, fmt.Errorf("SMTP TLS %q: must be none, starttls or tls", m.TLS))
	}
	return errors.Join(errs...)
}

// Message is one mail.
type Message struct {
	To, Subject, Body string
	// ID is stable per notification, so that a mail sent again after a
	// crash between sending and recording can be recognised as the same.
	ID string
	// Invitation, when set, is attached as a calendar request (.ics).
	Invitation string
}

// Send delivers one message. A failure is a *DeliveryError; a permanent
// refusal by the server wraps a *textproto.Error with a 5xx code.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	err := m.send(ctx, addr, msg)
	if err == nil {
		return nil
	}
	if m.Log != nil {
		level := slog.LevelWarn
		if ctx.Err() != nil {
			level = slog.LevelDebug // cut off, as by a stopping worker: not the server's fault
		}
		m.Log.Log(ctx, level, "mail not delivered", "message_id", msg.ID, "server", addr, "err", err)
	}
	return &DeliveryError{Err: err}
}

func (m *Mailer) send(ctx context.Context, addr string, msg Message) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	var conn net.Conn
	var err error
	if m.TLS == "tls" {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: m.Host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("notify.Send: %w", err)
	}
	defer c.Close()
	if m.TLS == "starttls" {
		if err := c.StartTLS(&tls.Config{ServerName: m.Host}); err != nil {
			return fmt.Errorf("notify.Send: starttls: %w", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.Host)); err != nil {
			return fmt.Errorf("notify.Send: auth: %w", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if _, err := w.Write(m.compose(msg)); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify.Send: %w", err)
	}
	return c.Quit()
}

// compose writes the message: plain text, or with an invitation a
// multipart/mixed of the text and the calendar request.
func (m *Mailer) compose(msg Message) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		m.From, msg.To, mime.QEncoding.Encode("utf-8", msg.Subject), msg.ID, time.Now().Format(time.RFC1123Z))
	text := strings.ReplaceAll(msg.Body, "\n", "\r\n")
	if msg.Invitation == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text)
		return b.Bytes()
	}
	mw := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", mw.Boundary())
	part, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"}})
	part.Write([]byte(text))
	part, _ = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":        {"text/calendar; charset=utf-8; method=REQUEST"},
		"Content-Disposition": {`attachment; filename="overlegtafel.ics"`},
	})
	part.Write([]byte(msg.Invitation))
	mw.Close()
	return b.Bytes()
}
