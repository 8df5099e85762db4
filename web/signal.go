package web

import "net/http"

func (s *Server) signalRoutes(mux *http.ServeMux) {}
