package announcements

import (
	"context"

	"preau/appliance/apperr"
	"preau/appliance/store"
)

// checkRow refuses every announcement a school pushes: only the DSI
// announces, on central.
func checkRow(context.Context, store.Pushed) error {
	return apperr.New(apperr.ErrForbidden, "announcements.push.dsi_only")
}
