package connect

import (
	"context"
	"strings"

	"github.com/connectmail/connectmail/fault"
)

// Alias rules (reference §2.7): an email address (the primary) has at most
// one alias; mail to the alias is received by the primary; aliases do not
// chain, so a primary may not itself be an alias and an alias may have no
// alias; both addresses belong to the same instance. Disassociating keeps
// both addresses.

// emailAddressID strips an email-address ARN down to its id.
func emailAddressID(id string) string {
	if i := strings.LastIndex(id, "email-address/"); strings.HasPrefix(id, "arn:") && i >= 0 {
		return id[i+len("email-address/"):]
	}
	return id
}

// AssociateEmailAddressAlias makes AliasID an alias of EmailAddressID. Associating the same pair again succeeds.
func (s *Service) AssociateEmailAddressAlias(ctx context.Context, in *EmailAddressAliasInput) error {
	return s.changeAlias(ctx, "AssociateEmailAddressAlias", in, func(primary, alias *EmailAddress, all []*EmailAddress) ([]*EmailAddress, error) {
		if alias.AliasOf == primary.ID {
			return nil, nil
		}
		if primary.AliasOf != "" {
			return nil, fault.New(fault.ResourceConflict, "Email address %s is an alias of %s; an alias cannot have an alias", primary.ID, primary.AliasOf)
		}
		if alias.AliasOf != "" {
			return nil, fault.New(fault.ResourceConflict, "Email address %s is already an alias of %s", alias.ID, alias.AliasOf)
		}
		for _, e := range all {
			switch e.AliasOf {
			case primary.ID:
				return nil, fault.New(fault.ResourceConflict, "Email address %s already has the alias %s; an address can have one alias", primary.ID, e.ID)
			case alias.ID:
				return nil, fault.New(fault.ResourceConflict, "Email address %s has the alias %s, so it cannot be an alias itself", alias.ID, e.ID)
			}
		}
		now := s.now()
		alias.AliasOf = primary.ID
		alias.ModifiedAt, primary.ModifiedAt = now, now
		return []*EmailAddress{primary, alias}, nil
	})
}

// DisassociateEmailAddressAlias ends the alias relation between
// EmailAddressID and AliasID.
func (s *Service) DisassociateEmailAddressAlias(ctx context.Context, in *EmailAddressAliasInput) error {
	return s.changeAlias(ctx, "DisassociateEmailAddressAlias", in, func(primary, alias *EmailAddress, _ []*EmailAddress) ([]*EmailAddress, error) {
		if alias.AliasOf != primary.ID {
			return nil, fault.New(fault.Invalid, "Email address %s is not an alias of %s", alias.ID, primary.ID)
		}
		now := s.now()
		alias.AliasOf = ""
		alias.ModifiedAt, primary.ModifiedAt = now, now
		return []*EmailAddress{primary, alias}, nil
	})
}

func (s *Service) changeAlias(ctx context.Context, op string, in *EmailAddressAliasInput,
	rule func(primary, alias *EmailAddress, all []*EmailAddress) ([]*EmailAddress, error)) error {
	inst, err := s.instance(ctx, in.InstanceID)
	if err != nil {
		return err
	}
	primaryID, aliasID := emailAddressID(in.EmailAddressID), emailAddressID(in.AliasID)
	if primaryID == aliasID {
		return fault.New(fault.Invalid, "An email address cannot be an alias of itself")
	}
	tok := in.ClientToken
	in.ClientToken = ClientToken{}
	idem := clientIdem(op, tok, in, struct{}{})
	err = s.cfg.Stores.EmailAddresses.ModifyEmailAddresses(ctx, inst.ID, idem, func(all []*EmailAddress) ([]*EmailAddress, error) {
		var primary, alias *EmailAddress
		for _, e := range all {
			switch e.ID {
			case primaryID:
				primary = e
			case aliasID:
				alias = e
			}
		}
		if primary == nil {
			return nil, fault.NotFoundf("EmailAddress", "Email address not found: %s", primaryID)
		}
		if alias == nil {
			return nil, fault.NotFoundf("EmailAddress", "Alias email address not found: %s", aliasID)
		}
		return rule(primary, alias, all)
	})
	_, err = replay(emailErr(err, primaryID), tok.Token, &struct{}{})
	return err
}
