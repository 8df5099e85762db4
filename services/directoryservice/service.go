// Package directoryservice implements rots.v1.DirectoryService: the partner
// directory (sociale kaart) of organisations and their offers, with Dutch
// full-text search over the offers.
//
// It must not import the other services or cmd/.
package directoryservice

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	rotsv1 "github.com/rots-vlaanderen/roundtable/gen/rots/v1"
	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
	"github.com/rots-vlaanderen/roundtable/services/rpc"
)

// Server implements rots.v1.DirectoryService.
type Server struct {
	rotsv1.UnimplementedDirectoryServiceServer
	db  *directory.Store
	log *slog.Logger
	now func() time.Time
}

var _ rotsv1.DirectoryServiceServer = (*Server)(nil)

// New returns a DirectoryService on the store.
func New(db *store.DB, log *slog.Logger) *Server {
	return &Server{db: directory.New(db), log: log, now: time.Now}
}

// status maps a store error to a gRPC status.
func (s *Server) status(ctx context.Context, method, what string, err error) error {
	return rpc.Status(ctx, s.log, method, what, err)
}

// CreateOrganisation adds an active organisation. A retry with the same
// request_id returns the organisation the first call created.
func (s *Server) CreateOrganisation(ctx context.Context, req *rotsv1.CreateOrganisationRequest) (*rotsv1.CreateOrganisationResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	validateOrganisation(&v, "organisation.", req.GetOrganisation())
	if err := v.Err(); err != nil {
		return nil, err
	}
	o := &directory.Organisation{ID: uuid.NewString(), RequestID: req.GetRequestId(), CreatedAt: s.now()}
	orgFromProto(o, req.GetOrganisation())
	got, created, err := s.db.CreateOrganisation(ctx, o)
	if err != nil {
		return nil, s.status(ctx, "CreateOrganisation", "organisation", err)
	}
	if created {
		s.log.InfoContext(ctx, "directory organisation created", "organisation", got.ID, "by", rpc.Actor(ctx))
	}
	return &rotsv1.CreateOrganisationResponse{Organisation: orgToProto(got)}, nil
}

// GetOrganisation returns one organisation, active or not.
func (s *Server) GetOrganisation(ctx context.Context, req *rotsv1.GetOrganisationRequest) (*rotsv1.GetOrganisationResponse, error) {
	var v rpc.Violations
	id := parseOrgName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	o, err := s.db.GetOrganisation(ctx, id)
	if err != nil {
		return nil, s.status(ctx, "GetOrganisation", "organisation", err)
	}
	return &rotsv1.GetOrganisationResponse{Organisation: orgToProto(o)}, nil
}

// ListOrganisations pages through organisations by display name.
func (s *Server) ListOrganisations(ctx context.Context, req *rotsv1.ListOrganisationsRequest) (*rotsv1.ListOrganisationsResponse, error) {
	var v rpc.Violations
	enumIn(&v, "region", req.GetRegion(), false, "region")
	enumIn(&v, "kind", req.GetKind(), false, "organisation kind")
	f := directory.OrganisationFilter{Region: vocab.Stored(req.GetRegion()), Kind: vocab.Stored(req.GetKind()), ShowInactive: req.GetShowInactive()}
	page := rpc.ReadPage[directory.OrganisationCursor](&v, req.GetPageSize(), req.GetPageToken(), "organisations", f)
	if err := v.Err(); err != nil {
		return nil, err
	}
	orgs, err := s.db.ListOrganisations(ctx, f, page.After, page.Size+1)
	if err != nil {
		return nil, s.status(ctx, "ListOrganisations", "organisation", err)
	}
	resp := &rotsv1.ListOrganisationsResponse{}
	orgs, resp.NextPageToken = rpc.Trim(page, orgs, func(o *directory.Organisation) directory.OrganisationCursor {
		return directory.OrganisationCursor{Name: o.Name, ID: o.ID}
	})
	for _, o := range orgs {
		resp.Organisations = append(resp.Organisations, orgToProto(o))
	}
	return resp, nil
}

// UpdateOrganisation changes the fields in the update mask. The result is
// validated as a whole; a retry with the same request_id changes nothing
// and returns the organisation as it is.
func (s *Server) UpdateOrganisation(ctx context.Context, req *rotsv1.UpdateOrganisationRequest) (*rotsv1.UpdateOrganisationResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := parseOrgName(&v, "organisation.name", req.GetOrganisation().GetName())
	paths := maskPaths(&v, req.GetUpdateMask(), orgFields)
	if err := v.Err(); err != nil {
		return nil, err
	}
	o, err := s.db.UpdateOrganisation(ctx, id, req.GetRequestId(), s.now(), func(o *directory.Organisation) error {
		merged := orgToProto(o)
		applyMask(merged, req.GetOrganisation(), paths)
		var v rpc.Violations
		validateOrganisation(&v, "organisation.", merged)
		if err := v.Err(); err != nil {
			return err
		}
		orgFromProto(o, merged)
		return nil
	})
	if err != nil {
		return nil, s.status(ctx, "UpdateOrganisation", "organisation", err)
	}
	s.log.InfoContext(ctx, "directory organisation updated", "organisation", id, "fields", strings.Join(paths, ","), "by", rpc.Actor(ctx))
	return &rotsv1.UpdateOrganisationResponse{Organisation: orgToProto(o)}, nil
}

// DeactivateOrganisation takes an organisation and its offers out of lists
// and searches. Deactivating twice is harmless.
func (s *Server) DeactivateOrganisation(ctx context.Context, req *rotsv1.DeactivateOrganisationRequest) (*rotsv1.DeactivateOrganisationResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	id := parseOrgName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	o, err := s.db.DeactivateOrganisation(ctx, id, req.GetRequestId(), s.now())
	if err != nil {
		return nil, s.status(ctx, "DeactivateOrganisation", "organisation", err)
	}
	s.log.InfoContext(ctx, "directory organisation deactivated", "organisation", id, "by", rpc.Actor(ctx))
	return &rotsv1.DeactivateOrganisationResponse{Organisation: orgToProto(o)}, nil
}

// CreateOffer adds an active offer to an organisation. A retry with the
// same request_id returns the offer the first call created.
func (s *Server) CreateOffer(ctx context.Context, req *rotsv1.CreateOfferRequest) (*rotsv1.CreateOfferResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	orgID := parseOrgName(&v, "parent", req.GetParent())
	validateOffer(&v, "offer.", req.GetOffer())
	if err := v.Err(); err != nil {
		return nil, err
	}
	f := &directory.Offer{ID: uuid.NewString(), OrganisationID: orgID, RequestID: req.GetRequestId(), CreatedAt: s.now()}
	offerFromProto(f, req.GetOffer())
	got, created, err := s.db.CreateOffer(ctx, f)
	if err != nil {
		return nil, s.status(ctx, "CreateOffer", "organisation", err)
	}
	if created {
		s.log.InfoContext(ctx, "directory offer created", "offer", got.ID, "organisation", orgID, "by", rpc.Actor(ctx))
	}
	return &rotsv1.CreateOfferResponse{Offer: OfferToProto(got)}, nil
}

// GetOffer returns one offer, active or not.
func (s *Server) GetOffer(ctx context.Context, req *rotsv1.GetOfferRequest) (*rotsv1.GetOfferResponse, error) {
	var v rpc.Violations
	orgID, id := parseOfferName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	f, err := s.db.GetOffer(ctx, orgID, id)
	if err != nil {
		return nil, s.status(ctx, "GetOffer", "offer", err)
	}
	return &rotsv1.GetOfferResponse{Offer: OfferToProto(f)}, nil
}

// UpdateOffer changes the fields in the update mask, as UpdateOrganisation.
func (s *Server) UpdateOffer(ctx context.Context, req *rotsv1.UpdateOfferRequest) (*rotsv1.UpdateOfferResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	orgID, id := parseOfferName(&v, "offer.name", req.GetOffer().GetName())
	paths := maskPaths(&v, req.GetUpdateMask(), offerFields)
	if err := v.Err(); err != nil {
		return nil, err
	}
	f, err := s.db.UpdateOffer(ctx, orgID, id, req.GetRequestId(), s.now(), func(f *directory.Offer) error {
		merged := OfferToProto(f)
		applyMask(merged, req.GetOffer(), paths)
		var v rpc.Violations
		validateOffer(&v, "offer.", merged)
		if err := v.Err(); err != nil {
			return err
		}
		offerFromProto(f, merged)
		return nil
	})
	if err != nil {
		return nil, s.status(ctx, "UpdateOffer", "offer", err)
	}
	s.log.InfoContext(ctx, "directory offer updated", "offer", id, "fields", strings.Join(paths, ","), "by", rpc.Actor(ctx))
	return &rotsv1.UpdateOfferResponse{Offer: OfferToProto(f)}, nil
}

// DeactivateOffer takes an offer out of searches. Deactivating twice is
// harmless.
func (s *Server) DeactivateOffer(ctx context.Context, req *rotsv1.DeactivateOfferRequest) (*rotsv1.DeactivateOfferResponse, error) {
	var v rpc.Violations
	v.RequestID(req.GetRequestId())
	orgID, id := parseOfferName(&v, "name", req.GetName())
	if err := v.Err(); err != nil {
		return nil, err
	}
	f, err := s.db.DeactivateOffer(ctx, orgID, id, req.GetRequestId(), s.now())
	if err != nil {
		return nil, s.status(ctx, "DeactivateOffer", "offer", err)
	}
	s.log.InfoContext(ctx, "directory offer deactivated", "offer", id, "by", rpc.Actor(ctx))
	return &rotsv1.DeactivateOfferResponse{Offer: OfferToProto(f)}, nil
}

// SearchOffers finds offers best match first, then by ID. The page token
// holds the last (rank, ID) returned, so paging needs no offset and stays
// stable while offers are added.
func (s *Server) SearchOffers(ctx context.Context, req *rotsv1.SearchOffersRequest) (*rotsv1.SearchOffersResponse, error) {
	var v rpc.Violations
	var orgID string
	if p := req.GetParent(); p != "" && p != orgPrefix+"-" {
		orgID = parseOrgName(&v, "parent", p)
	}
	query(&v, req.GetQuery())
	enumIn(&v, "region", req.GetRegion(), false, "region")
	enumList(&v, "themes", req.GetThemes(), "theme")
	enumIn(&v, "age_band", req.GetAgeBand(), false, "age band")
	enumIn(&v, "school_level", req.GetSchoolLevel(), false, "school level")
	q := directory.OfferQuery{
		OrganisationID: orgID,
		Text:           strings.TrimSpace(req.GetQuery()),
		Region:         vocab.Stored(req.GetRegion()),
		Themes:         vocab.StoredAll(req.GetThemes()),
		AgeBand:        vocab.Stored(req.GetAgeBand()),
		SchoolLevel:    vocab.Stored(req.GetSchoolLevel()),
		ShowInactive:   req.GetShowInactive(),
	}
	themes := slices.Clone(q.Themes)
	slices.Sort(themes)
	page := rpc.ReadPage[directory.OfferCursor](&v, req.GetPageSize(), req.GetPageToken(),
		"offers", q.OrganisationID, q.Text, q.Region, themes, q.AgeBand, q.SchoolLevel, q.ShowInactive)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if orgID != "" {
		// Searching under an organisation that does not exist is NotFound,
		// not an empty page.
		if _, err := s.db.GetOrganisation(ctx, orgID); err != nil {
			return nil, s.status(ctx, "SearchOffers", "organisation", err)
		}
	}
	offers, err := s.db.SearchOffers(ctx, q, page.After, page.Size+1)
	if err != nil {
		return nil, s.status(ctx, "SearchOffers", "offer", err)
	}
	resp := &rotsv1.SearchOffersResponse{}
	offers, resp.NextPageToken = rpc.Trim(page, offers, func(f *directory.Offer) directory.OfferCursor {
		return directory.OfferCursor{Rank: f.Rank, ID: f.ID}
	})
	for _, f := range offers {
		resp.Offers = append(resp.Offers, OfferToProto(f))
	}
	return resp, nil
}
