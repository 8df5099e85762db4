package web

import "net/http"

func (s *Server) auditorRoutes(mux *http.ServeMux) {}
