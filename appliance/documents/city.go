package documents

import (
	"context"
	"errors"
	"math"
	"slices"

	"preau/appliance/apperr"
	"preau/appliance/auth"
	"preau/appliance/feature"
)

// The city's library: documents the DSI publishes on central for every
// school or for some (global scope; Schools names them). Every school
// holds their rows; each keeps their files in its cache of cache.max_size
// (sync's), fetched while the link is idle or when someone opens one, so
// that the LAN serves them during an outage. Every profile of a school
// the document is meant for reads it.

// ShareCity publishes a file in the city's library, for the schools
// named (none: every school). The DSI does, on central only; the file is
// within documents.max_file_size; the city has no quota.
func (s *Service) ShareCity(ctx context.Context, u auth.User, up Upload, schools []string) (Document, bool, error) {
	if u.Profile != auth.DSI {
		return Document{}, false, apperr.New(apperr.ErrForbidden, "documents.err.not_dsi")
	}
	if !s.central {
		return Document{}, false, apperr.New(apperr.ErrForbidden, "documents.err.city_on_central")
	}
	known, err := s.reg.Schools(ctx)
	if err != nil {
		return Document{}, false, err
	}
	for _, id := range schools {
		if !slices.ContainsFunc(known, func(k auth.School) bool { return k.ID == id }) {
			return Document{}, false, apperr.New(apperr.ErrInvalid, "documents.err.no_school", "School", id)
		}
	}
	d := Document{SchoolID: feature.Global, AuthorID: u.ID, Schools: feature.Targets(schools)}
	return s.store(ctx, d, up, func(string) (int64, error) { return math.MaxInt64, nil })
}

// City is the city's library as u sees it, newest first: what is meant
// for their school (a parent's children's), everything for the DSI.
func (s *Service) City(ctx context.Context, u auth.User) ([]Document, error) {
	all, err := s.city(ctx)
	if err != nil {
		return nil, err
	}
	schools, err := s.schoolsOf(ctx, u)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(d Document) bool { return !readsCity(u, schools, d) }), nil
}

// schoolsOf are the schools whose share of the city's library u reads.
func (s *Service) schoolsOf(ctx context.Context, u auth.User) ([]string, error) {
	return feature.SchoolsOf(ctx, s.reg, u)
}

// readsCity reports whether u, of those schools, reads a city document.
func readsCity(u auth.User, schools []string, d Document) bool {
	if u.Profile == auth.DSI {
		return true
	}
	return slices.ContainsFunc(schools, d.Schools.Includes)
}

// cityReadable checks that u reads a city document (as Readable does).
func (s *Service) cityReadable(ctx context.Context, u auth.User, d Document) error {
	schools, err := s.schoolsOf(ctx, u)
	if err != nil {
		return err
	}
	if !readsCity(u, schools, d) {
		return apperr.New(apperr.ErrNotFound, "documents.err.not_found")
	}
	return nil
}

// fetch brings a city document's file here from central when this school's
// cache does not hold it, and records that it was opened. Off the link, it
// says when it will be; a file the city did not sign is refused, here or
// not.
func (s *Service) fetch(ctx context.Context, d Document) error {
	lib := s.libraryOf()
	if lib == nil {
		return nil
	}
	err := lib.Fetch(ctx, d.Blob)
	switch {
	case errors.Is(err, feature.ErrUnsigned):
		return apperr.New(apperr.ErrForbidden, "documents.err.unsigned", "Name", d.Name)
	case err != nil:
		return apperr.New(apperr.ErrUnavailable, "documents.err.library_offline", "Name", d.Name)
	}
	lib.Touch(ctx, d.Blob)
	return nil
}

func (s *Service) libraryOf() feature.Library {
	if s.library == nil {
		return nil
	}
	return s.library()
}

// CacheUsage is the school's cache of the city's library, for its
// director; ErrNotFound on central, which has none.
func (s *Service) CacheUsage(ctx context.Context, u auth.User) (feature.CacheUsage, []Document, error) {
	lib := s.libraryOf()
	if lib == nil || u.Profile != auth.Director {
		return feature.CacheUsage{}, nil, apperr.New(apperr.ErrNotFound, "documents.err.no_cache")
	}
	usage, err := lib.CacheUsage(ctx)
	if err != nil {
		return usage, nil, err
	}
	docs, err := s.City(ctx, u)
	return usage, docs, err
}
