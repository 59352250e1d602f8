package server

import (
	"context"
	"time"
)

// identified is implemented by stores that know their database's random id
// and URL-signing key (both of connectmail's stores do): event ids derive
// from the first, template attachment URLs are signed with the second.
type identified interface {
	DatabaseID(ctx context.Context) (string, error)
	URLKey(ctx context.Context) ([]byte, error)
}

// identity returns the store's database id and URL key; "" and nil for a
// store without them.
func identity(store any) (id string, urlKey []byte, err error) {
	st, ok := store.(identified)
	if !ok {
		return "", nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if id, err = st.DatabaseID(ctx); err != nil {
		return "", nil, err
	}
	urlKey, err = st.URLKey(ctx)
	return id, urlKey, err
}
