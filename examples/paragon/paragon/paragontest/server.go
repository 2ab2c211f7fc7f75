// Package paragontest is a stand-in Paragon API server on 127.0.0.1, for the example
// and its tests.
package paragontest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Server is a stand-in Paragon API that accepts a fixed set of API keys. It issues a new
// token on every request for one, and counts sessions.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	keys     map[string]bool
	sessions map[string]bool // open sessions
	opened   int
	tokens   int
}

// NewServer starts a server that accepts the given API keys. Close it when done.
func NewServer(apiKeys ...string) *Server {
	s := &Server{keys: map[string]bool{}, sessions: map[string]bool{}}
	for _, k := range apiKeys {
		s.keys[k] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/sessions", s.openSession)
	mux.HandleFunc("POST /v1/token", s.issueToken)
	mux.HandleFunc("DELETE /v1/sessions/{id}", s.closeSession)
	s.Server = httptest.NewServer(mux)
	return s
}

// SessionsOpened reports how many sessions clients opened: one per constructed client.
func (s *Server) SessionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opened
}

// OpenSessions reports how many sessions are open: clients built and not yet closed.
func (s *Server) OpenSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) openSession(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok || !s.keys[key] {
		http.Error(w, "unknown API key", http.StatusUnauthorized)
		return
	}
	s.opened++
	id := fmt.Sprintf("session-%d", s.opened)
	s.sessions[id] = true
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"session_id": id})
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	id, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Session ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sessions[id] {
		http.Error(w, "no such session", http.StatusUnauthorized)
		return
	}
	s.tokens++
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("token-%d", s.tokens),
		"expires_in":   3600,
	})
}

func (s *Server) closeSession(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if !s.sessions[id] {
		http.Error(w, "no such session", http.StatusNotFound)
		return
	}
	delete(s.sessions, id)
	w.WriteHeader(http.StatusNoContent)
}
