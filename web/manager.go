package web

import "net/http"

func (s *Server) managerRoutes(mux *http.ServeMux) {}
