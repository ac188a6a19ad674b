package warmpool

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/stratos-sh/terraform-provider-stratos/internal/keys"
	"github.com/stratos-sh/terraform-provider-stratos/internal/nodeclass"
)

// Identity is what an existing pool's instances say about the pool.
type Identity struct {
	PoolID           string
	Cluster          string
	NodeClass        string
	NodeClassVersion int64
	ConfigHash       string
}

// ErrPoolNotFound: no instance carries the pool's name.
var ErrPoolNotFound = errors.New("no instance of the pool exists")

// FindByName identifies a pool from its instances' tags, for import. cluster
// may be empty; a name used in several clusters then needs it.
func (e *Engine) FindByName(ctx context.Context, name, cluster string) (*Identity, error) {
	filters := []ec2types.Filter{
		{Name: aws.String("tag:" + keys.Pool), Values: []string{name}},
		{Name: aws.String("instance-state-name"), Values: liveStates},
	}
	if cluster != "" {
		filters = append(filters, ec2types.Filter{Name: aws.String("tag:" + keys.Cluster), Values: []string{cluster}})
	}
	found, err := e.describeRaw(ctx, &ec2.DescribeInstancesInput{Filters: filters, MaxResults: aws.Int32(e.Options.withDefaults().DescribePageSize)})
	if err != nil {
		return nil, err
	}
	byPool := map[string]*Identity{}
	newest := map[string]ec2types.Instance{}
	for _, i := range found {
		tags := nodeclass.TagMap(i.Tags)
		id := tags[keys.PoolID]
		if id == "" || tags[keys.ManagedBy] != keys.ManagedByValue {
			continue
		}
		if prev, ok := newest[id]; ok && aws.ToTime(prev.LaunchTime).After(aws.ToTime(i.LaunchTime)) {
			continue
		}
		newest[id] = i
		inst := instanceFromEC2(i)
		byPool[id] = &Identity{PoolID: id, Cluster: tags[keys.Cluster], NodeClass: tags[keys.NodeClass], NodeClassVersion: inst.ClassVersion, ConfigHash: inst.ConfigHash}
	}
	switch len(byPool) {
	case 0:
		return nil, fmt.Errorf("pool %q: %w (import needs at least one of its instances)", name, ErrPoolNotFound)
	case 1:
		for _, id := range byPool {
			return id, nil
		}
	}
	var clusters []string
	for _, id := range byPool {
		clusters = append(clusters, id.Cluster)
	}
	sort.Strings(clusters)
	return nil, fmt.Errorf("pools named %q exist in clusters %s: import <cluster>/%s", name, strings.Join(clusters, ", "), name)
}

func (e *Engine) describeRaw(ctx context.Context, in *ec2.DescribeInstancesInput, opts ...func(*ec2.Options)) ([]ec2types.Instance, error) {
	var out []ec2types.Instance
	pages := ec2.NewDescribeInstancesPaginator(e.EC2, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range page.Reservations {
			out = append(out, r.Instances...)
		}
	}
	return out, nil
}
