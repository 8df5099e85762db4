package e2e

import (
	"io"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// mailServer is a real SMTP server (go-smtp) on a fixed loopback port that
// keeps what it receives and can be taken down and brought back.
type mailServer struct {
	addr string
	mu   sync.Mutex
	srv  *smtp.Server
	got  []receivedMail
}

type receivedMail struct {
	To        string
	MessageID string
	Subject   string
	Body      string
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailServer{addr: l.Addr().String()}
	m.serve(t, l)
	t.Cleanup(m.down)
	return m
}

func (m *mailServer) port() int {
	_, p, _ := net.SplitHostPort(m.addr)
	n, _ := strconv.Atoi(p)
	return n
}

func (m *mailServer) serve(t *testing.T, l net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	m.mu.Lock()
	m.srv = srv
	m.mu.Unlock()
	go srv.Serve(l)
}

// down stops the server: connections are refused until up.
func (m *mailServer) down() {
	m.mu.Lock()
	srv := m.srv
	m.srv = nil
	m.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// up starts the server again on the same port.
func (m *mailServer) up(t *testing.T) {
	l, err := net.Listen("tcp", m.addr)
	if err != nil {
		t.Fatal(err)
	}
	m.serve(t, l)
}

func (m *mailServer) received() []receivedMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]receivedMail(nil), m.got...)
}

type mailSession struct {
	m  *mailServer
	to []string
}

func (s *mailSession) Reset()                                    { s.to = nil }
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, to := range s.to {
		s.m.got = append(s.m.got, receivedMail{
			To: to, MessageID: strings.Trim(msg.Header.Get("Message-ID"), "<>"), Subject: subject, Body: string(body),
		})
	}
	return nil
}
