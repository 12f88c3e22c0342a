/**
 * Two pages of EC2 volumes as DescribeVolumes answers them: `vol-a` in use (the first page,
 * with the token `v1`); `vol-b` available, `vol-c` deleted, one without an id and `vol-d`
 * without a state. Fresh objects on each call.
 *
 * @example
 * const { first, second } = twoPagesOfVolumes();
 * ec2Mock.on(DescribeVolumesCommand).resolvesOnce(first).resolvesOnce(second);
 */
export const twoPagesOfVolumes = () => ({
  first: { Volumes: [{ VolumeId: 'vol-a', State: 'in-use' as const }], NextToken: 'v1' },
  second: {
    Volumes: [
      { VolumeId: 'vol-b', State: 'available' as const },
      { VolumeId: 'vol-c', State: 'deleted' as const },
      { State: 'available' as const },
      { VolumeId: 'vol-d' },
    ],
  },
});
