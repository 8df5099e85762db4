package web

import "net/http"

func (s *Server) partnerRoutes(mux *http.ServeMux) {}
